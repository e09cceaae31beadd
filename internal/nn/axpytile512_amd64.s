#include "textflag.h"
#include "axpytile_amd64.h"

// ROW_STEP512 adds a·b to one row's two accumulators unless a (at addr) is
// ±0, the product and the sum each rounded, in Axpy's operand order. The
// skip is a mask (a compared with zero in Z13), not a branch: the
// accumulators keep their bits where a is ±0, as when the Go code skips the
// element, and the ReLU zeros of a layer's output cost no mispredictions.
#define ROW_STEP512(addr, acc0, acc1) \
	VBROADCASTSS addr, Z10 \
	VCMPPS       $4, Z13, Z10, K1 \
	VMULPS       Z8, Z10, Z11 \
	VADDPS       Z11, acc0, K1, acc0 \
	VMULPS       Z9, Z10, Z12 \
	VADDPS       Z12, acc1, K1, acc1

// func axpyTile512(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int)
//
// axpyTile with AVX-512F for a 4 × 32 tile of C: for l = 0..k-1 in order,
// each of the four rows adds Â(r, l)·b[l·ldb : l·ldb+32] unless Â(r, l)
// is zero (predicate NEQ_UQ: NaN is not skipped, as in the Go code). k >= 1.
TEXT ·axpyTile512(SB), NOSPLIT, $0-64
	TILE_ARGS

	VPXORD  Z13, Z13, Z13
	MOVQ    DX, R13
	VMOVUPS (R13), Z0
	VMOVUPS 64(R13), Z1
	ADDQ    R11, R13
	VMOVUPS (R13), Z2
	VMOVUPS 64(R13), Z3
	ADDQ    R11, R13
	VMOVUPS (R13), Z4
	VMOVUPS 64(R13), Z5
	ADDQ    R11, R13
	VMOVUPS (R13), Z6
	VMOVUPS 64(R13), Z7

loop:
	VMOVUPS (DI), Z8
	VMOVUPS 64(DI), Z9
	ROW_STEP512((AX), Z0, Z1)
	ROW_STEP512((AX)(R8*1), Z2, Z3)
	ROW_STEP512((AX)(R8*2), Z4, Z5)
	ROW_STEP512((AX)(BX*1), Z6, Z7)
	ADDQ R9, AX
	ADDQ R10, DI
	DECQ CX
	JNZ  loop

	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ    R11, DX
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ    R11, DX
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ    R11, DX
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	VZEROUPPER
	RET
