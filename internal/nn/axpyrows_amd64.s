#include "textflag.h"

// ROWS_STEP adds coef·x to the accumulators, x at (AX) + disp: the product
// then the sum, each rounded, in Axpy's operand order (t = a·x; y = t + y).
#define ROWS_STEP(disp, acc, tmp) \
	VMULPS disp(AX), Y4, tmp \
	VADDPS acc, tmp, acc

// func axpyRowsVec(y *float32, n int, e *RowCoef, m int, x *float32, stride int)
//
// For the first n elements of y (n a multiple of 8) and the m entries in
// order: y += e.Coef · x[e.Row·stride:]. y is held in registers 32 (then 8)
// elements at a time while the entries stream past, so each element sees
// exactly the operations of one Axpy call per entry. m >= 1.
TEXT ·axpyRowsVec(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ e+16(FP), SI
	MOVQ m+24(FP), R8
	MOVQ x+32(FP), R9
	MOVQ stride+40(FP), R10
	SHLQ $2, R10

chunk32:
	CMPQ    CX, $32
	JL      chunk8
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	MOVQ    SI, R11
	MOVQ    R8, R12

loop32:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS 4(R11), Y4
	ROWS_STEP(0, Y0, Y5)
	ROWS_STEP(32, Y1, Y6)
	ROWS_STEP(64, Y2, Y7)
	ROWS_STEP(96, Y3, Y8)
	ADDQ         $8, R11
	DECQ         R12
	JNZ          loop32

	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $128, R9
	SUBQ    $32, CX
	JMP     chunk32

chunk8:
	CMPQ    CX, $8
	JL      done
	VMOVUPS (DI), Y0
	MOVQ    SI, R11
	MOVQ    R8, R12

loop8:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS 4(R11), Y4
	ROWS_STEP(0, Y0, Y5)
	ADDQ         $8, R11
	DECQ         R12
	JNZ          loop8

	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, R9
	SUBQ    $8, CX
	JMP     chunk8

done:
	VZEROUPPER
	RET
