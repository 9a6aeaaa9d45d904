/* homewire's changes to Debian's Duktape 2.7 configuration, appended to a build-time copy of
 * its duk_config.h (scripts/mk/firmware.mk). Only options that need no regenerated builtin
 * tables. Measured on the firmware bundle (heap after load + GC): 372 kB stock -> 297 kB. */

/* Built-in functions as lightfuncs: the largest saving (~50 kB of an empty heap). */
#define DUK_USE_LIGHTFUNC_BUILTINS
/* No bytecode-to-line tables (~22 kB for the bundle); tracebacks still name functions. */
#undef DUK_USE_PC2LINE
/* No fileName property on every function: the app is one bundle, the name says nothing. */
#undef DUK_USE_FUNC_FILENAME_PROPERTY
/* Smaller string table and property tables; no literal cache. */
#undef DUK_USE_HOBJECT_HASH_PART
#undef DUK_USE_HSTRING_CLEN
#undef DUK_USE_LITCACHE_SIZE
#undef DUK_USE_STRTAB_MINSIZE
#define DUK_USE_STRTAB_MINSIZE 64
#undef DUK_USE_STRTAB_MAXSIZE
#define DUK_USE_STRTAB_MAXSIZE 1024
/* The lexer keeps a window of the source instead of decoding it all at once. */
#define DUK_USE_LEXER_SLIDING_WINDOW
