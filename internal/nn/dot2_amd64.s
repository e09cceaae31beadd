#include "textflag.h"

// dotNT4x2 is dotNT4 for two rows of B at once (b and b + ldb): eight
// dot products, each summed in exactly dotNT4's order (gonum's DotUnitary),
// so each gives the same bits. Each load of A serves both rows of B, and
// the eight independent sums keep the adder busy where dotNT4's four wait
// on their own latency. The two rows of B must have the same peel.

// ROW2 adds a row of A (at reg + disp, element AX) times the two rows of B
// (in b0, b1) to that row's two sums, MOV/MUL/ADD being the width's ops.
#define ROW2(MOV, MUL, ADD, reg, disp, b0, b1, a, t0, t1, s0, s1) \
	MOV disp(reg)(AX*4), a \
	MUL a, b0, t0 \
	ADD t0, s0, s0 \
	MUL a, b1, t1 \
	ADD t1, s1, s1

#define STEP2(MOV, MUL, ADD, disp, b0, b1, a, t0, t1, s0, s1, s2, s3, s4, s5, s6, s7) \
	ROW2(MOV, MUL, ADD, SI, disp, b0, b1, a, t0, t1, s0, s4) \
	ROW2(MOV, MUL, ADD, R9, disp, b0, b1, a, t0, t1, s1, s5) \
	ROW2(MOV, MUL, ADD, R10, disp, b0, b1, a, t0, t1, s2, s6) \
	ROW2(MOV, MUL, ADD, R11, disp, b0, b1, a, t0, t1, s3, s7)

// SCALAR2 adds the products of element AX to lane 0 of the eight sums.
#define SCALAR2 \
	VMOVSS (DI)(AX*4), X8 \
	VMOVSS (R12)(AX*4), X10 \
	STEP2(VMOVSS, VMULSS, VADDSS, 0, X8, X10, X12, X13, X14, X0, X1, X2, X3, X4, X5, X6, X7)

// FOLD adds the high half of a sum to its low half (SUM += P_SUM).
#define FOLD(y, x) \
	VEXTRACTF128 $1, y, X13 \
	VADDPS       X13, x, x

// STORE adds lane 0 of a reduced sum to the float at DI + off.
#define STORE(x, off) \
	VHADDPS x, x, x \
	VHADDPS x, x, x \
	VMOVSS  off(DI), X13 \
	VADDSS  x, X13, X13 \
	VMOVSS  X13, off(DI)

// func dotNT4x2(a *float32, lda int, b *float32, ldb, k, peel int, c *float32, ldc int)
//
// For r = 0..3 and j = 0..1: c[r*ldc + j] += a[r*lda : r*lda+k] · b[j*ldb : j*ldb+k].
TEXT ·dotNT4x2(SB), NOSPLIT, $0-64
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	SHLQ $2, R8
	LEAQ (SI)(R8*1), R9
	LEAQ (R9)(R8*1), R10
	LEAQ (R10)(R8*1), R11
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R12
	LEAQ (DI)(R12*4), R12
	MOVQ k+32(FP), CX
	MOVQ peel+40(FP), DX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX
	SUBQ DX, CX

peel:
	TESTQ DX, DX
	JZ    main
	SCALAR2
	INCQ  AX
	DECQ  DX
	JMP   peel

main:
	MOVQ  CX, BX
	SHRQ  $4, BX
	ANDQ  $15, CX
	TESTQ BX, BX
	JZ    tail4

loop16:
	VMOVUPS (DI)(AX*4), Y8
	VMOVUPS 32(DI)(AX*4), Y9
	VMOVUPS (R12)(AX*4), Y10
	VMOVUPS 32(R12)(AX*4), Y11
	STEP2(VMOVUPS, VMULPS, VADDPS, 0, Y8, Y10, Y12, Y13, Y14, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	STEP2(VMOVUPS, VMULPS, VADDPS, 32, Y9, Y11, Y12, Y13, Y14, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	ADDQ $16, AX
	DECQ BX
	JNZ  loop16

	FOLD(Y0, X0)
	FOLD(Y1, X1)
	FOLD(Y2, X2)
	FOLD(Y3, X3)
	FOLD(Y4, X4)
	FOLD(Y5, X5)
	FOLD(Y6, X6)
	FOLD(Y7, X7)

tail4:
	CMPQ    CX, $4
	JL      tail1
	VMOVUPS (DI)(AX*4), X8
	VMOVUPS (R12)(AX*4), X10
	STEP2(VMOVUPS, VMULPS, VADDPS, 0, X8, X10, X12, X13, X14, X0, X1, X2, X3, X4, X5, X6, X7)
	ADDQ    $4, AX
	SUBQ    $4, CX
	JMP     tail4

tail1:
	TESTQ CX, CX
	JZ    done
	SCALAR2
	INCQ  AX
	DECQ  CX
	JMP   tail1

done:
	MOVQ c+48(FP), DI
	MOVQ ldc+56(FP), R8
	SHLQ $2, R8
	STORE(X0, 0)
	STORE(X4, 4)
	ADDQ R8, DI
	STORE(X1, 0)
	STORE(X5, 4)
	ADDQ R8, DI
	STORE(X2, 0)
	STORE(X6, 4)
	ADDQ R8, DI
	STORE(X3, 0)
	STORE(X7, 4)
	VZEROUPPER
	RET
