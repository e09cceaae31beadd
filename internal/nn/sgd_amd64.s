#include "textflag.h"

// func sgdPlainVec(w, grad *float32, n int, k *sgdConsts)
//
// For the first n elements (n a multiple of 8), in sgdScalar's order, each
// operation rounded to float32 (no FMA):
//   w = w - lr*(g + wd*w)
TEXT ·sgdPlainVec(SB), NOSPLIT, $0-32
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ k+24(FP), AX
	VBROADCASTSS 4(AX), Y9  // wd
	VBROADCASTSS 8(AX), Y10 // lr

ploop16:
	CMPQ    CX, $16
	JL      ploop8
	VMOVUPS (DI), Y0        // w
	VMOVUPS 32(DI), Y3
	VMULPS  Y9, Y0, Y1      // wd*w
	VMULPS  Y9, Y3, Y4
	VADDPS  (SI), Y1, Y1    // g + wd*w
	VADDPS  32(SI), Y4, Y4
	VMULPS  Y10, Y1, Y1     // lr*(...)
	VMULPS  Y10, Y4, Y4
	VSUBPS  Y1, Y0, Y0      // w - lr*(...)
	VSUBPS  Y4, Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     ploop16

ploop8:
	CMPQ    CX, $8
	JL      pdone
	VMOVUPS (DI), Y0
	VMULPS  Y9, Y0, Y1
	VADDPS  (SI), Y1, Y1
	VMULPS  Y10, Y1, Y1
	VSUBPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     ploop8

pdone:
	VZEROUPPER
	RET

// func sgdMomentumVec(w, grad, m *float32, n int, k *sgdConsts)
//
// For the first n elements (n a multiple of 8), in sgdScalar's order, each
// operation rounded to float32 (no FMA):
//   mi = (mu*m + g) + wd*w
//   m  = mi
//   w  = w - lr*mi
TEXT ·sgdMomentumVec(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ k+32(FP), AX
	VBROADCASTSS 0(AX), Y8  // mu
	VBROADCASTSS 4(AX), Y9  // wd
	VBROADCASTSS 8(AX), Y10 // lr

mloop16:
	CMPQ    CX, $16
	JL      mloop8
	VMOVUPS (DI), Y0        // w
	VMOVUPS 32(DI), Y3
	VMULPS  (R8), Y8, Y1    // mu*m
	VMULPS  32(R8), Y8, Y4
	VADDPS  (SI), Y1, Y1    // mu*m + g
	VADDPS  32(SI), Y4, Y4
	VMULPS  Y9, Y0, Y2      // wd*w
	VMULPS  Y9, Y3, Y5
	VADDPS  Y2, Y1, Y1      // mi
	VADDPS  Y5, Y4, Y4
	VMOVUPS Y1, (R8)
	VMOVUPS Y4, 32(R8)
	VMULPS  Y10, Y1, Y1     // lr*mi
	VMULPS  Y10, Y4, Y4
	VSUBPS  Y1, Y0, Y0      // w - lr*mi
	VSUBPS  Y4, Y3, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y3, 32(DI)
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, R8
	SUBQ    $16, CX
	JMP     mloop16

mloop8:
	CMPQ    CX, $8
	JL      mdone
	VMOVUPS (DI), Y0
	VMULPS  (R8), Y8, Y1
	VADDPS  (SI), Y1, Y1
	VMULPS  Y9, Y0, Y2
	VADDPS  Y2, Y1, Y1
	VMOVUPS Y1, (R8)
	VMULPS  Y10, Y1, Y1
	VSUBPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     mloop8

mdone:
	VZEROUPPER
	RET
