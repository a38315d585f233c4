/* handover.h: what one daemon hands the next through the pin root: the heartbeat, the gap between them, and older generations retired. */
#ifndef MCPWARDEN_HANDOVER_H
#define MCPWARDEN_HANDOVER_H

#include <stdbool.h>
#include <stdint.h>

#include <cJSON.h>

struct daemon;

/* The gap a restart left: from the last heartbeat of the previous daemon to this one's start. */
struct handover {
	bool adopted;			/* this generation was pinned already: taken over */
	bool clean;			/* the previous daemon stopped on a signal (else it died) */
	uint64_t from_ns, to_ns;	/* CLOCK_MONOTONIC: its last heartbeat, this daemon's adoption */
	uint64_t records;		/* ring buffer records stamped within the gap (read after the adoption) */
	uint64_t drops;			/* records the kernel dropped in the gap (ring buffer full) */
	char replaced[4][48];		/* older generations this daemon retired once its own was attached */
	unsigned nreplaced;
};

/* Before the sensor loads: opens and locks the pin root (`daemon --pin-dir`). 0 or -1 (logged). */
int handover_open(struct daemon *d);
/* Once the sensor is open: the gap and drops measured, and server ids go on from the previous daemon's. */
void handover_loaded(struct daemon *d);
/* Once everything is attached and the socket is open: pins what is new, completes the generation, retires the
 * older ones (each audited as "upgrade"), and logs and audits the gap ("adopted"). 0 or -1 (logged). */
int handover_commit(struct daemon *d);
/* A ring buffer record stamped `ts_ns`: counted when it falls in the gap. */
void handover_record(struct daemon *d, uint64_t ts_ns);
/* From the tick, and whenever a server id is given: the heartbeat the next daemon measures its gap from and
 * takes the next server id from. */
void handover_heartbeat(struct daemon *d);
/* At stop: the last heartbeat, marked clean when `clean`; closes the pin root, whose pins stay. A daemon whose
 * start failed removes what it pinned of a new generation (an adopted or older one stays as it was). */
void handover_close(struct daemon *d, bool clean);
/* The `status` object: pin root, generation, and the last gap. */
cJSON *handover_json(struct daemon *d);

#endif
