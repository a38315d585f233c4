/* udp_sendmmsg.c: evasion case: one sendmmsg(2) of N datagrams on an unconnected UDP socket, each to 127.0.0.1:PORT+i. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MSGS	64

int main(int argc, char **argv)
{
	struct sockaddr_in to[MAX_MSGS];
	struct mmsghdr msgs[MAX_MSGS];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	int n, port, fd, sent;

	if (argc != 3 || (n = atoi(argv[1])) < 1 || n > MAX_MSGS || (port = atoi(argv[2])) < 1 || port + n > 65535) {
		fprintf(stderr, "usage: udp_sendmmsg N PORT   (1 <= N <= %d)\n", MAX_MSGS);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("udp_sendmmsg: socket");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < n; i++) {
		to[i] = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(port + i),
					      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &to[i], .msg_namelen = sizeof(to[i]),
						   .msg_iov = &iov, .msg_iovlen = 1 };
	}
	sent = sendmmsg(fd, msgs, n, 0);
	if (sent < 0) {
		perror("udp_sendmmsg: sendmmsg");
		return 1;
	}
	printf("sent=%d\n", sent);
	close(fd);
	return sent == n ? 0 : 1;
}
