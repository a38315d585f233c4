/* ring.h: the ring buffer read a bounded slice at a time, so that a control request waits for one slice at most. */
#ifndef MCPWARDEN_RING_H
#define MCPWARDEN_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct sensor;

#define RING_SLICE	128	/* records handled before the loop serves its peers again */

struct ring {
	const uint64_t *pos;	/* the ring buffer's consumer and producer pages, mapped read-only; NULL: not open */
	size_t page;		/* the size of each */
	unsigned left;		/* records the running slice may still handle; 0: no slice runs, nothing stops early */
};

/* Maps the position pages of the sensor's ring buffer. 0 or -1 (logged). */
int ring_open(struct ring *r, struct sensor *s);
void ring_close(struct ring *r);
/* For the sample callback, once per record handled: true when the running slice is spent (the callback then
 * returns SENSOR_CONSUME_STOP). */
bool ring_slice_spent(struct ring *r);
/* How far the kernel has sent records (a count of bytes that only grows). */
uint64_t ring_sent(const struct ring *r);
/* Whether every record sent up to `sent` (a ring_sent()) has been handled. */
bool ring_read_to(const struct ring *r, uint64_t sent);
/* Handles at most `max` records. 1 when more may wait, 0 when it read the ring empty, -1 on error (logged). */
int ring_slice(struct daemon *d, unsigned max);
/*
 * Handles every record the kernel had sent into the ring when this was called, a slice at a time, and
 * perhaps part of a slice more, but not the records sent meanwhile: a busy host sends them without end.
 * For a request that must see what happened before it (the violations of a call that ends, the fork of a
 * process being attached). A record still being written stops it early: its process is inside a syscall,
 * nothing that came before the request. 0 or -1 (logged).
 */
int ring_catch_up(struct daemon *d);

#endif
