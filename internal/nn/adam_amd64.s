#include "textflag.h"

// func adamVec(w, grad, m, v *float32, n int, k *adamConsts)
//
// For each element, in adamScalar's order, each operation rounded to
// float32 (no FMA):
//   gi = g + l2*w
//   mi = b1*m + c1*gi
//   vi = b2*v + (c2*gi)*gi
//   w  = w - ((step*mi) / (sqrt(vi*ibc2) + eps) + decoupled*w)
TEXT ·adamVec(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ k+40(FP), AX
	VBROADCASTSS 0(AX), Y8   // b1
	VBROADCASTSS 4(AX), Y9   // c1
	VBROADCASTSS 8(AX), Y10  // b2
	VBROADCASTSS 12(AX), Y11 // c2
	VBROADCASTSS 16(AX), Y12 // ibc2
	VBROADCASTSS 20(AX), Y13 // step
	VBROADCASTSS 24(AX), Y14 // eps
	VBROADCASTSS 28(AX), Y15 // l2
	VBROADCASTSS 32(AX), Y7  // decoupled

loop:
	CMPQ CX, $8
	JL   done
	VMOVUPS (DI), Y0        // w
	VMOVUPS (SI), Y1        // g
	VMULPS  Y15, Y0, Y2     // l2*w
	VADDPS  Y2, Y1, Y1      // gi
	VMOVUPS (R8), Y3        // m
	VMULPS  Y8, Y3, Y3      // b1*m
	VMULPS  Y9, Y1, Y4      // c1*gi
	VADDPS  Y4, Y3, Y3      // mi
	VMOVUPS (R9), Y5        // v
	VMULPS  Y10, Y5, Y5     // b2*v
	VMULPS  Y11, Y1, Y6     // c2*gi
	VMULPS  Y1, Y6, Y6      // (c2*gi)*gi
	VADDPS  Y6, Y5, Y5      // vi
	VMOVUPS Y3, (R8)
	VMOVUPS Y5, (R9)
	VMULPS  Y12, Y5, Y5     // vi*ibc2
	VSQRTPS Y5, Y5
	VADDPS  Y14, Y5, Y5     // + eps
	VMULPS  Y13, Y3, Y3     // step*mi
	VDIVPS  Y5, Y3, Y3      // (step*mi) / (sqrt + eps)
	VMULPS  Y7, Y0, Y2      // decoupled*w
	VADDPS  Y2, Y3, Y3
	VSUBPS  Y3, Y0, Y0      // w - (...)
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     loop

done:
	VZEROUPPER
	RET
