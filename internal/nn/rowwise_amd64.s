#include "textflag.h"

// func sumSqVec(w, grad *float32, n int, l2 float32, p *[8]float32)
//
// For i < n (a multiple of 8), lane j = i mod 8 of p:
//   gi = grad + l2*w, p[j] += gi*gi
// each operation rounded to float32 (no FMA), in rowwise's order.
TEXT ·sumSqVec(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS l2+24(FP), Y2
	MOVQ p+32(FP), AX
	VMOVUPS (AX), Y3

sumloop:
	CMPQ CX, $8
	JL   sumdone
	VMOVUPS (DI), Y0    // w
	VMULPS  Y2, Y0, Y0  // l2*w
	VADDPS  (SI), Y0, Y0 // gi = grad + l2*w
	VMULPS  Y0, Y0, Y0  // gi*gi
	VADDPS  Y0, Y3, Y3  // p += gi*gi
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     sumloop

sumdone:
	VMOVUPS Y3, (AX)
	VZEROUPPER
	RET

// func rowStepVec(w, grad *float32, n int, step, l2, dec float32)
//
// For i < n (a multiple of 8), each operation rounded to float32:
//   gi = grad + l2*w
//   w  = w - (step*gi + dec*w)
TEXT ·rowStepVec(SB), NOSPLIT, $0-36
	MOVQ w+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS step+24(FP), Y4
	VBROADCASTSS l2+28(FP), Y5
	VBROADCASTSS dec+32(FP), Y6

steploop:
	CMPQ CX, $8
	JL   stepdone
	VMOVUPS (DI), Y0    // w
	VMULPS  Y5, Y0, Y1  // l2*w
	VADDPS  (SI), Y1, Y1 // gi
	VMULPS  Y4, Y1, Y1  // step*gi
	VMULPS  Y6, Y0, Y2  // dec*w
	VADDPS  Y2, Y1, Y1  // step*gi + dec*w
	VSUBPS  Y1, Y0, Y0  // w - (...)
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JMP     steploop

stepdone:
	VZEROUPPER
	RET
