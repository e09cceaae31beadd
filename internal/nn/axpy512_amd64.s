#include "textflag.h"

// AVX-512F forms of the axpy kernels (16 float32 lanes). Every element sees
// the same float32 multiplication then addition, never fused, as in the AVX
// kernels and the Go code, so the results are the same bits.

// func axpyVec512(a float32, x, y *float32, n int)
// y[i] = y[i] + a*x[i], 64 elements per iteration (n a multiple of 64).
TEXT ·axpyVec512(SB), NOSPLIT, $0-32
	VBROADCASTSS a+0(FP), Z0
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ n+24(FP), CX

loop:
	CMPQ    CX, $64
	JL      done
	VMULPS  (SI), Z0, Z1
	VMULPS  64(SI), Z0, Z2
	VMULPS  128(SI), Z0, Z3
	VMULPS  192(SI), Z0, Z4
	VADDPS  (DI), Z1, Z1
	VADDPS  64(DI), Z2, Z2
	VADDPS  128(DI), Z3, Z3
	VADDPS  192(DI), Z4, Z4
	VMOVUPS Z1, (DI)
	VMOVUPS Z2, 64(DI)
	VMOVUPS Z3, 128(DI)
	VMOVUPS Z4, 192(DI)
	ADDQ    $256, SI
	ADDQ    $256, DI
	SUBQ    $64, CX
	JMP     loop

done:
	VZEROUPPER
	RET

// STEP512 adds the coefficient in Z4 times x at (AX) + disp to acc.
#define STEP512(disp, acc, tmp) \
	VMULPS disp(AX), Z4, tmp \
	VADDPS acc, tmp, acc

// LOAD8, STEP8 and STORE8: eight accumulators (128 elements of y) loaded,
// given one row's products, and stored.
#define LOAD8 \
	VMOVUPS (DI), Z0 \
	VMOVUPS 64(DI), Z1 \
	VMOVUPS 128(DI), Z2 \
	VMOVUPS 192(DI), Z3 \
	VMOVUPS 256(DI), Z5 \
	VMOVUPS 320(DI), Z6 \
	VMOVUPS 384(DI), Z7 \
	VMOVUPS 448(DI), Z8

#define STEP8 \
	STEP512(0, Z0, Z9) \
	STEP512(64, Z1, Z10) \
	STEP512(128, Z2, Z11) \
	STEP512(192, Z3, Z12) \
	STEP512(256, Z5, Z13) \
	STEP512(320, Z6, Z14) \
	STEP512(384, Z7, Z15) \
	STEP512(448, Z8, Z16)

#define STORE8 \
	VMOVUPS Z0, (DI) \
	VMOVUPS Z1, 64(DI) \
	VMOVUPS Z2, 128(DI) \
	VMOVUPS Z3, 192(DI) \
	VMOVUPS Z5, 256(DI) \
	VMOVUPS Z6, 320(DI) \
	VMOVUPS Z7, 384(DI) \
	VMOVUPS Z8, 448(DI)

// func axpyGatherVec512(y *float32, n int, ids *int32, vals *float32, step, m int, x *float32, stride int)
//
// axpyGatherVec with 16 lanes, 128 (then 64 once, then 16) elements of y
// in registers; n a multiple of 16.
TEXT ·axpyGatherVec512(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ n+8(FP), CX
	MOVQ ids+16(FP), SI
	MOVQ vals+24(FP), DX
	MOVQ step+32(FP), BX
	MOVQ m+40(FP), R8
	MOVQ x+48(FP), R9
	MOVQ stride+56(FP), R10
	SHLQ $2, R10

gchunk128:
	CMPQ CX, $128
	JL   gchunk64
	LOAD8
	MOVQ SI, R11
	MOVQ DX, R13
	MOVQ R8, R12

gloop128:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS (R13), Z4
	STEP8
	ADDQ         BX, R11
	ADDQ         BX, R13
	DECQ         R12
	JNZ          gloop128

	STORE8
	ADDQ $512, DI
	ADDQ $512, R9
	SUBQ $128, CX
	JMP  gchunk128

gchunk64:
	CMPQ    CX, $64
	JL      gchunk16
	VMOVUPS (DI), Z0
	VMOVUPS 64(DI), Z1
	VMOVUPS 128(DI), Z2
	VMOVUPS 192(DI), Z3
	MOVQ    SI, R11
	MOVQ    DX, R13
	MOVQ    R8, R12

gloop64:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS (R13), Z4
	STEP512(0, Z0, Z9)
	STEP512(64, Z1, Z10)
	STEP512(128, Z2, Z11)
	STEP512(192, Z3, Z12)
	ADDQ         BX, R11
	ADDQ         BX, R13
	DECQ         R12
	JNZ          gloop64

	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ    $256, DI
	ADDQ    $256, R9
	SUBQ    $64, CX

gchunk16:
	CMPQ    CX, $16
	JL      gdone
	VMOVUPS (DI), Z0
	MOVQ    SI, R11
	MOVQ    DX, R13
	MOVQ    R8, R12

gloop16:
	MOVLQSX      (R11), AX
	IMULQ        R10, AX
	ADDQ         R9, AX
	VBROADCASTSS (R13), Z4
	STEP512(0, Z0, Z9)
	ADDQ         BX, R11
	ADDQ         BX, R13
	DECQ         R12
	JNZ          gloop16

	VMOVUPS Z0, (DI)
	ADDQ    $64, DI
	ADDQ    $64, R9
	SUBQ    $16, CX
	JMP     gchunk16

gdone:
	VZEROUPPER
	RET
