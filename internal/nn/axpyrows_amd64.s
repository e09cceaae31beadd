#include "textflag.h"

// ROWS_STEP adds coef·x to the accumulators, x at (AX) + disp: the product
// then the sum, each rounded, in Axpy's operand order (t = a·x; y = t + y).
#define ROWS_STEP(disp, acc, tmp) \
	VMULPS disp(AX), Y4, tmp \
	VADDPS acc, tmp, acc

// func axpyGatherVec(y *float32, n int, ids *int32, vals *float32, step, m int, x *float32, stride int)
//
// For the first n elements of y (n a multiple of 8) and k = 0..m-1 in
// order: y += vals[k] · x[ids[k]·stride:], where ids[k] and vals[k] lie
// k·step bytes after ids and vals (4 for two arrays, 8 for RowCoefs). y is
// held in registers 32 (then 8) elements at a time while the rows stream
// past, so each element sees exactly the operations of one Axpy call per
// k. m >= 1.
TEXT ·axpyGatherVec(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ ids+16(FP), SI
	MOVQ vals+24(FP), DX
	MOVQ step+32(FP), BX
	MOVQ m+40(FP), R8
	MOVQ x+48(FP), R9
	MOVQ stride+56(FP), R10
	SHLQ $2, R10

gchunk32:
	CMPQ    CX, $32
	JL      gchunk8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	MOVQ    SI, R11
	MOVQ    DX, R13
	MOVQ    R8, R12

gloop32:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS (R13), Y4
	ROWS_STEP(0, Y0, Y5)
	ROWS_STEP(32, Y1, Y6)
	ROWS_STEP(64, Y2, Y7)
	ROWS_STEP(96, Y3, Y8)
	ADDQ         BX, R11
	ADDQ         BX, R13
	DECQ         R12
	JNZ          gloop32

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, R9
	SUBQ    $32, CX
	JMP     gchunk32

gchunk8:
	CMPQ    CX, $8
	JL      gdone
	VMOVUPS (DI), Y0
	MOVQ    SI, R11
	MOVQ    DX, R13
	MOVQ    R8, R12

gloop8:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS (R13), Y4
	ROWS_STEP(0, Y0, Y5)
	ADDQ         BX, R11
	ADDQ         BX, R13
	DECQ         R12
	JNZ          gloop8

	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     gchunk8

gdone:
	VZEROUPPER
	RET
