/* uring_op.c: evasion cases: a TCP connect, or a UDP send with a destination, to loopback through io_uring (no socket syscall; raw io_uring, no liburing). */
#include <arpa/inet.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * usage: uring_op connect|sendmsg [async]
 * connect: listens on 127.0.0.1:0 (TCP) and connects to it with one IORING_OP_CONNECT.
 * sendmsg: binds a UDP socket on 127.0.0.1:0 and sends it 3 bytes with one IORING_OP_SENDMSG whose
 * msghdr names it. With "async": IOSQE_ASYNC, so an io-wq worker thread of this process does it.
 * Prints "port=P res=R" (R: the completion's result: 0 for a connect, the bytes for a send).
 */

static void *map(int ring, size_t len, off_t off)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, off);

	if (p == MAP_FAILED) {
		perror("uring_op: mmap ring");
		return NULL;
	}
	return p;
}

/* Submits `sqe` on a fresh ring and waits for its completion. The cqe's res, or INT32_MIN on setup errors. */
static int32_t run_one(const struct io_uring_sqe *sqe)
{
	struct io_uring_params p = { 0 };
	int ring = syscall(__NR_io_uring_setup, 4, &p);
	size_t sqlen, cqlen;
	char *sq, *cq;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqe;
	unsigned *tail, idx;

	if (ring < 0) {
		perror("uring_op: io_uring_setup");
		return INT32_MIN;
	}
	sqlen = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	cqlen = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sqlen = cqlen = sqlen > cqlen ? sqlen : cqlen;
	sq = map(ring, sqlen, IORING_OFF_SQ_RING);
	cq = p.features & IORING_FEAT_SINGLE_MMAP ? sq : map(ring, cqlen, IORING_OFF_CQ_RING);
	sqes = map(ring, p.sq_entries * sizeof(*sqes), IORING_OFF_SQES);
	if (!sq || !cq || !sqes)
		return INT32_MIN;
	tail = (unsigned *)(sq + p.sq_off.tail);
	idx = *tail & *(unsigned *)(sq + p.sq_off.ring_mask);
	sqes[idx] = *sqe;
	((unsigned *)(sq + p.sq_off.array))[idx] = idx;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
		perror("uring_op: io_uring_enter");
		return INT32_MIN;
	}
	cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) +
	      (*(unsigned *)(cq + p.cq_off.head) & *(unsigned *)(cq + p.cq_off.ring_mask));
	if (__atomic_load_n((unsigned *)(cq + p.cq_off.tail), __ATOMIC_ACQUIRE) == *(unsigned *)(cq + p.cq_off.head)) {
		fprintf(stderr, "uring_op: no completion\n");
		return INT32_MIN;
	}
	return cqe->res;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	bool send = argc > 1 && !strcmp(argv[1], "sendmsg");
	int type = (send ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC;
	struct io_uring_sqe sqe = { .opcode = send ? IORING_OP_SENDMSG : IORING_OP_CONNECT, .user_data = 1 };
	int ls = socket(AF_INET, type, 0), s = socket(AF_INET, type, 0);
	struct iovec iov = { .iov_base = "abc", .iov_len = 3 };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	int32_t res;

	if (argc < 2 || (!send && strcmp(argv[1], "connect"))) {
		fprintf(stderr, "usage: uring_op connect|sendmsg [async]\n");
		return 2;
	}
	if (ls < 0 || s < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || (!send && listen(ls, 4)) ||
	    getsockname(ls, (struct sockaddr *)&sa, &len)) {
		perror("uring_op: loopback listener");
		return 1;
	}
	sqe.fd = s;
	if (send) {
		sqe.addr = (uintptr_t)&msg;
	} else {
		sqe.addr = (uintptr_t)&sa;
		sqe.off = sizeof(sa);	/* addr2: the address length */
	}
	if (argc > 2 && !strcmp(argv[2], "async"))
		sqe.flags = IOSQE_ASYNC;
	res = run_one(&sqe);
	if (res == INT32_MIN)
		return 1;
	printf("port=%u res=%d\n", ntohs(sa.sin_port), res);
	return res < 0;
}
