/* chan_bulk_bench: chan_bulk's owner as the region's benchmark (16 MiB each way, timed in
 * guest time; bench/chan runs it with chan_bulk as the borrower). */
#define CHAN_BULK_BENCH 1
#include "chan_bulk.c"
