/* rpc_bench: rpc_client as the channel benchmark (rpc_bench.h; bench/chan runs it). */
#define RPC_BENCH 1
#include "rpc_client.c"
