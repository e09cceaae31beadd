#include "textflag.h"

// Offsets of fastmathConsts' rows (32 bytes each).
#define LOG2E 0
#define HALF 32
#define LN2HI 64
#define LN2LO 96
#define C720 128
#define C120 160
#define C24 192
#define C6 224
#define ONE 256
#define TWO 288
#define C11 320
#define C9 352
#define C7 384
#define C5 416
#define C3 448
#define MINX 480
#define SIGN 512
#define BIAS 544

// HORNER(x, p, c): p = p·x + c(AX), rounded after each operation (no FMA):
// one step of the Go polynomials' p = float32(p*r) + c.
#define HORNER(x, p, c) \
	VMULPS x, p, p \
	VADDPS c(AX), p, p

// func sigmoidSoftplusVec(v, s, sp *float32, n int, k *[18][8]uint32)
//
// sigmoidSoftplus32 eight lanes at a time: the same float32 operations in
// the same order, each rounded (no FMA), so the same bits.
TEXT ·sigmoidSoftplusVec(SB), NOSPLIT, $0-40
	MOVQ   v+0(FP), SI
	MOVQ   s+8(FP), DI
	MOVQ   sp+16(FP), DX
	MOVQ   n+24(FP), CX
	MOVQ   k+32(FP), AX
	VXORPS Y15, Y15, Y15 // 0

loop:
	CMPQ CX, $8
	JL   done
	VMOVUPS (SI), Y0        // v
	VORPS   SIGN(AX), Y0, Y1 // a = −|v| (the sign of a zero does not change e)

	// e = expNeg(a)
	VMULPS     LOG2E(AX), Y1, Y2 // a·log2e
	VSUBPS     HALF(AX), Y2, Y2  // − 0.5
	VCVTTPS2DQ Y2, Y3            // n (int32, truncated)
	VCVTDQ2PS  Y3, Y4            // n (float32)
	VMULPS     LN2HI(AX), Y4, Y5
	VSUBPS     Y5, Y1, Y5        // a − n·ln2hi
	VMULPS     LN2LO(AX), Y4, Y6
	VSUBPS     Y6, Y5, Y5        // r
	VMULPS     C720(AX), Y5, Y6
	VADDPS     C120(AX), Y6, Y6
	HORNER(Y5, Y6, C24)
	HORNER(Y5, Y6, C6)
	HORNER(Y5, Y6, HALF)
	HORNER(Y5, Y6, ONE)
	HORNER(Y5, Y6, ONE)          // p
	VPADDD     BIAS(AX), Y3, Y3
	VPSLLD     $23, Y3, Y3       // 2^n
	VMULPS     Y3, Y6, Y6        // e = p·2^n
	VCMPPS     $1, MINX(AX), Y1, Y7 // a < −87.3
	VANDNPS    Y6, Y7, Y6        // e = 0 there

	// s = 1/(1+e), times e where v < 0
	VADDPS    ONE(AX), Y6, Y8
	VMOVUPS   ONE(AX), Y9
	VDIVPS    Y8, Y9, Y9
	VMULPS    Y6, Y9, Y10
	VCMPPS    $1, Y15, Y0, Y11 // v < 0
	VBLENDVPS Y11, Y10, Y9, Y9
	VMOVUPS   Y9, (DI)

	// sp = max(v, 0) + log1pUnit(e)
	VADDPS  TWO(AX), Y6, Y8
	VDIVPS  Y8, Y6, Y8    // t = e/(2+e)
	VMULPS  Y8, Y8, Y9    // t²
	VMULPS  C11(AX), Y9, Y10
	VADDPS  C9(AX), Y10, Y10
	HORNER(Y9, Y10, C7)
	HORNER(Y9, Y10, C5)
	HORNER(Y9, Y10, C3)
	HORNER(Y9, Y10, ONE)      // q
	VADDPS  Y8, Y8, Y11       // 2t
	VMULPS  Y10, Y11, Y10     // 2t·q
	VMAXPS  Y15, Y0, Y11      // max(v, 0): +0 for −0, like Go's max
	VADDPS  Y10, Y11, Y11
	VMOVUPS Y11, (DX)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP  loop

done:
	VZEROUPPER
	RET
