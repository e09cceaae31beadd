#include "textflag.h"
#include "axpytile_amd64.h"

// ROW_STEP adds a·b to one row's two accumulators unless a (at addr) is ±0,
// the product and the sum each rounded, in Axpy's operand order.
#define ROW_STEP(addr, skip, acc0, acc1) \
	MOVL         addr, R12 \
	TESTL        $0x7fffffff, R12 \
	JZ           skip \
	VBROADCASTSS addr, Y10 \
	VMULPS       Y8, Y10, Y11 \
	VADDPS       acc0, Y11, acc0 \
	VMULPS       Y9, Y10, Y12 \
	VADDPS       acc1, Y12, acc1 \
skip:

// func axpyTile(a *float32, ai, al, k int, b *float32, ldb int, c *float32, ldc int)
//
// A 4 × 16 tile of C += Â·B, Â(r, l) = a[r·ai + l·al]: for l = 0..k-1 in
// order, each of the four rows adds Â(r, l)·b[l·ldb : l·ldb+16] unless
// Â(r, l) is zero — per element exactly gemmAxpy's sequence of Axpy calls,
// with the tile of C held in registers and each row of B loaded once for
// the four rows of C. k >= 1.
TEXT ·axpyTile(SB), NOSPLIT, $0-64
	TILE_ARGS

	MOVQ    DX, R13
	VMOVUPS (R13), Y0
	VMOVUPS 32(R13), Y1
	ADDQ    R11, R13
	VMOVUPS (R13), Y2
	VMOVUPS 32(R13), Y3
	ADDQ    R11, R13
	VMOVUPS (R13), Y4
	VMOVUPS 32(R13), Y5
	ADDQ    R11, R13
	VMOVUPS (R13), Y6
	VMOVUPS 32(R13), Y7

loop:
	VMOVUPS (DI), Y8
	VMOVUPS 32(DI), Y9
	ROW_STEP((AX), skip0, Y0, Y1)
	ROW_STEP((AX)(R8*1), skip1, Y2, Y3)
	ROW_STEP((AX)(R8*2), skip2, Y4, Y5)
	ROW_STEP((AX)(BX*1), skip3, Y6, Y7)
	ADDQ R9, AX
	ADDQ R10, DI
	DECQ CX
	JNZ  loop

	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ    R11, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	VZEROUPPER
	RET
