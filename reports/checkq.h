/* Final checks on their way to the output files, written on a thread of
 * their own. The engine's sink makes each check report.json text, a JUnit
 * testcase and a Prometheus line: a third of the time of judging a test of
 * a thousand nodes' GPUs, on the thread that judges. Here the judging
 * thread hands a rule's checks over as one batch and goes on; the batches
 * are written in the order handed. Internal to reports/ (build.c). Out of
 * memory ends the program (anvil_out_of_memory). */
#ifndef ANVIL_CHECKQ_H
#define ANVIL_CHECKQ_H
#include <stdint.h>
#include <cjson/cJSON.h>

/* How a check is written: t stands for the test (its "id" only). */
typedef void (*anvil_check_write_fn)(void *arg, const cJSON *t, const cJSON *c);

struct anvil_checkq;
/* The writing thread started; where none can be, batches are written
 * where they are handed. NULL only when out of memory. */
struct anvil_checkq *anvil_checkq_new(void);
/* Every batch written, then the thread ended. */
void anvil_checkq_free(struct anvil_checkq *q);

/* A batch begun (on the judging thread): its checks go to write(arg, ...). */
void anvil_checkq_begin(struct anvil_checkq *q, anvil_check_write_fn write, void *arg, const char *test_id);
/* A check of it, in order; c must stay as it is until the batch is written. */
void anvil_checkq_add(struct anvil_checkq *q, const cJSON *c);
/* A malloc'd check no tree keeps: freed once the batch is written. */
void anvil_checkq_drop(struct anvil_checkq *q, cJSON *c);
/* The batch to the writing thread. scratch: the arena scratch region its
 * checks were made in (reports/arena.h), emptied once they are written;
 * -1 for none. */
void anvil_checkq_hand(struct anvil_checkq *q, int scratch);
/* Waits until no batch handed is in scratch region k (it may be filled). */
void anvil_checkq_scratch_free(struct anvil_checkq *q, int k);
/* How many batches were handed so far; waits until the first `mark` are written. */
uint64_t anvil_checkq_mark(struct anvil_checkq *q);
void anvil_checkq_wait(struct anvil_checkq *q, uint64_t mark);

#endif
