#include "textflag.h"

// SCALAR_STEP adds the products of element AX to lane 0 of the four sums.
#define SCALAR_STEP \
	VMOVSS (DI)(AX*4), X8 \
	VMULSS (SI)(AX*4), X8, X4 \
	VADDSS X4, X0, X0 \
	VMULSS (R9)(AX*4), X8, X5 \
	VADDSS X5, X1, X1 \
	VMULSS (R10)(AX*4), X8, X6 \
	VADDSS X6, X2, X2 \
	VMULSS (R11)(AX*4), X8, X7 \
	VADDSS X7, X3, X3

// func dotNT4(a *float32, lda int, b *float32, k, peel int, c *float32, ldc int)
//
// For r = 0..3: c[r*ldc] += a[r*lda : r*lda+k] · b[:k], each dot summed in
// exactly the order of gonum's f32.DotUnitary (amd64), which the forward
// product of blas32 Gemm(NoTrans, Trans) uses:
//   - the first peel products (those before b reaches a 16-byte boundary)
//     go one at a time into lane 0 of SUM;
//   - then 16 products per step: SUM += p[0:4], P_SUM += p[4:8],
//     SUM += p[8:12], P_SUM += p[12:16] (here one YMM register holds SUM in
//     its low and P_SUM in its high half, so two 8-wide additions do it);
//   - SUM += P_SUM if that loop ran at least once;
//   - 4 products per step into SUM, then one at a time into lane 0;
//   - the dot is (s0+s1)+(s2+s3) (two HADDPS).
// Products and sums are each rounded (no FMA). b is loaded once per step for
// the four rows.
TEXT ·dotNT4(SB), NOSPLIT, $0-56
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	SHLQ $2, R8
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	MOVQ b+16(FP), DI
	MOVQ k+24(FP), CX
	MOVQ peel+32(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	SUBQ DX, CX

peel:
	TESTQ  DX, DX
	JZ     main
	SCALAR_STEP
	INCQ   AX
	DECQ   DX
	JMP    peel

main:
	MOVQ CX, BX
	SHRQ $4, BX
	ANDQ $15, CX
	TESTQ BX, BX
	JZ   tail4

loop16:
	VMOVUPS (DI)(AX*4), Y8
	VMOVUPS 32(DI)(AX*4), Y9
	VMULPS  (SI)(AX*4), Y8, Y4
	VMULPS  (R9)(AX*4), Y8, Y5
	VMULPS  (R10)(AX*4), Y8, Y6
	VMULPS  (R11)(AX*4), Y8, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	VMULPS  32(SI)(AX*4), Y9, Y4
	VMULPS  32(R9)(AX*4), Y9, Y5
	VMULPS  32(R10)(AX*4), Y9, Y6
	VMULPS  32(R11)(AX*4), Y9, Y7
	VADDPS  Y4, Y0, Y0
	VADDPS  Y5, Y1, Y1
	VADDPS  Y6, Y2, Y2
	VADDPS  Y7, Y3, Y3
	ADDQ    $16, AX
	DECQ    BX
	JNZ     loop16

	VEXTRACTF128 $1, Y0, X4
	VADDPS       X4, X0, X0
	VEXTRACTF128 $1, Y1, X5
	VADDPS       X5, X1, X1
	VEXTRACTF128 $1, Y2, X6
	VADDPS       X6, X2, X2
	VEXTRACTF128 $1, Y3, X7
	VADDPS       X7, X3, X3

tail4:
	CMPQ    CX, $4
	JL      tail1
	VMOVUPS (DI)(AX*4), X8
	VMULPS  (SI)(AX*4), X8, X4
	VADDPS  X4, X0, X0
	VMULPS  (R9)(AX*4), X8, X5
	VADDPS  X5, X1, X1
	VMULPS  (R10)(AX*4), X8, X6
	VADDPS  X6, X2, X2
	VMULPS  (R11)(AX*4), X8, X7
	VADDPS  X7, X3, X3
	ADDQ    $4, AX
	SUBQ    $4, CX
	JMP     tail4

tail1:
	TESTQ  CX, CX
	JZ     done
	SCALAR_STEP
	INCQ   AX
	DECQ   CX
	JMP    tail1

done:
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X1, X1, X1
	VHADDPS X1, X1, X1
	VHADDPS X2, X2, X2
	VHADDPS X2, X2, X2
	VHADDPS X3, X3, X3
	VHADDPS X3, X3, X3
	MOVQ    c+40(FP), DI
	MOVQ    ldc+48(FP), R8
	SHLQ    $2, R8
	VMOVSS  (DI), X4
	VADDSS  X0, X4, X4
	VMOVSS  X4, (DI)
	ADDQ    R8, DI
	VMOVSS  (DI), X5
	VADDSS  X1, X5, X5
	VMOVSS  X5, (DI)
	ADDQ    R8, DI
	VMOVSS  (DI), X6
	VADDSS  X2, X6, X6
	VMOVSS  X6, (DI)
	ADDQ    R8, DI
	VMOVSS  (DI), X7
	VADDSS  X3, X7, X7
	VMOVSS  X7, (DI)
	VZEROUPPER
	RET
