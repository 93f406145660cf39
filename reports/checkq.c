/* The checks' writing thread; see checkq.h. */
#include "reports/checkq.h"
#include "reports/arena.h"
#include "common/strbuf.h"
#include <pthread.h>
#include <stdlib.h>

struct batch {
	anvil_check_write_fn write;
	void *arg;
	cJSON *head;           /* {"id": ...}, malloc'd: what the writer reads of the test */
	const cJSON **c;
	size_t n, cap;
	cJSON *dropped;        /* malloc'd checks no tree keeps, or NULL */
	int scratch;           /* the arena scratch region of its checks, or -1 */
	struct batch *next;
};

struct anvil_checkq {
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct batch *head, *tail;    /* handed, not yet written */
	struct batch *filling;        /* being filled on the judging thread */
	uint64_t handed, written;
	int in_scratch[2];            /* a batch in scratch region k is not yet written */
	int quit, threaded;
	pthread_t th;
};

static void batch_write(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		b->write(b->arg, b->head, b->c[i]);
	cJSON_Delete(b->dropped);
	cJSON_Delete(b->head);
	if (b->scratch >= 0)
		anvil_arena_reset_scratch_at(b->scratch);
	free(b->c);
}

/* After a batch is written: counted, its scratch region free. */
static void batch_done(struct anvil_checkq *q, struct batch *b)
{
	if (b->scratch >= 0)
		q->in_scratch[b->scratch] = 0;
	q->written++;
	free(b);
	pthread_cond_broadcast(&q->done);
}

static void *writer(void *arg)
{
	struct anvil_checkq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->quit)
			pthread_cond_wait(&q->work, &q->mu);
		struct batch *b = q->head;
		if (!b)
			break;
		q->head = b->next;
		if (!q->head)
			q->tail = NULL;
		pthread_mutex_unlock(&q->mu);
		batch_write(b);
		pthread_mutex_lock(&q->mu);
		batch_done(q, b);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct anvil_checkq *anvil_checkq_new(void)
{
	struct anvil_checkq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	q->threaded = pthread_create(&q->th, NULL, writer, q) == 0;
	return q;
}

void anvil_checkq_free(struct anvil_checkq *q)
{
	if (!q)
		return;
	if (q->threaded) {
		pthread_mutex_lock(&q->mu);
		q->quit = 1;
		pthread_cond_signal(&q->work);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->th, NULL);
	}
	if (q->filling) {  /* begun and never handed: written now, as it would have been */
		batch_write(q->filling);
		free(q->filling);
	}
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q);
}

void anvil_checkq_begin(struct anvil_checkq *q, anvil_check_write_fn write, void *arg, const char *test_id)
{
	if (q->filling)
		anvil_checkq_hand(q, -1);
	struct batch *b = calloc(1, sizeof(*b));
	if (!b)
		anvil_out_of_memory();
	int was = anvil_arena_on(0);  /* the head outlives the test's regions */
	b->head = cJSON_CreateObject();
	cJSON_AddStringToObject(b->head, "id", test_id ? test_id : "");
	anvil_arena_on(was);
	b->write = write;
	b->arg = arg;
	b->scratch = -1;
	q->filling = b;
}

void anvil_checkq_add(struct anvil_checkq *q, const cJSON *c)
{
	struct batch *b = q->filling;
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		const cJSON **nc = realloc(b->c, cap * sizeof(*nc));
		if (!nc)
			anvil_out_of_memory();
		b->c = nc;
		b->cap = cap;
	}
	b->c[b->n++] = c;
}

void anvil_checkq_drop(struct anvil_checkq *q, cJSON *c)
{
	struct batch *b = q->filling;
	if (!b->dropped) {
		int was = anvil_arena_on(0);
		b->dropped = cJSON_CreateArray();
		anvil_arena_on(was);
	}
	cJSON_AddItemToArray(b->dropped, c);
}

void anvil_checkq_hand(struct anvil_checkq *q, int scratch)
{
	struct batch *b = q->filling;
	if (!b)
		return;
	q->filling = NULL;
	b->scratch = scratch;
	pthread_mutex_lock(&q->mu);
	q->handed++;
	if (scratch >= 0)
		q->in_scratch[scratch] = 1;
	if (!q->threaded) {
		pthread_mutex_unlock(&q->mu);
		batch_write(b);
		pthread_mutex_lock(&q->mu);
		batch_done(q, b);
	} else {
		if (q->tail)
			q->tail->next = b;
		else
			q->head = b;
		q->tail = b;
		pthread_cond_signal(&q->work);
	}
	pthread_mutex_unlock(&q->mu);
}

void anvil_checkq_scratch_free(struct anvil_checkq *q, int k)
{
	pthread_mutex_lock(&q->mu);
	while (q->in_scratch[k])
		pthread_cond_wait(&q->done, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

uint64_t anvil_checkq_mark(struct anvil_checkq *q)
{
	pthread_mutex_lock(&q->mu);
	uint64_t n = q->handed;
	pthread_mutex_unlock(&q->mu);
	return n;
}

void anvil_checkq_wait(struct anvil_checkq *q, uint64_t mark)
{
	pthread_mutex_lock(&q->mu);
	while (q->written < mark)
		pthread_cond_wait(&q->done, &q->mu);
	pthread_mutex_unlock(&q->mu);
}
