// TILE_ARGS loads the arguments of axpyTile and axpyTile512, strides in
// bytes: AX a, R8 ai·4, BX 3·ai·4, R9 al·4, CX k, DI b, R10 ldb·4, DX c,
// R11 ldc·4.
#define TILE_ARGS \
	MOVQ a+0(FP), AX \
	MOVQ ai+8(FP), R8 \
	SHLQ $2, R8 \
	LEAQ (R8)(R8*2), BX \
	MOVQ al+16(FP), R9 \
	SHLQ $2, R9 \
	MOVQ k+24(FP), CX \
	MOVQ b+32(FP), DI \
	MOVQ ldb+40(FP), R10 \
	SHLQ $2, R10 \
	MOVQ c+48(FP), DX \
	MOVQ ldc+56(FP), R11 \
	SHLQ $2, R11
