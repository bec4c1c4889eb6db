/* pingpong_short: the pingpong guest with 4,096 SGIs, for the full stack's time budget (the
 * simulator and gzhyp's test mode run the full 65,536). */
#define PINGPONG_SGIS 4096
#include "pingpong.c"
