/* udp32.S: a 32-bit (i386) static program, no libc: one UDP datagram "x" to 127.0.0.1:10 through int $0x80; exit 0 when sent. */
	.section .rodata
addr:	.short 2			/* AF_INET */
	.byte 0, 10			/* port 10, network order */
	.byte 127, 0, 0, 1
	.zero 8
msg:	.ascii "x"

	.text
	.globl _start
_start:
	movl $359, %eax			/* socket(AF_INET, SOCK_DGRAM, 0) */
	movl $2, %ebx
	movl $2, %ecx
	xorl %edx, %edx
	int $0x80
	testl %eax, %eax
	js fail
	movl %eax, %ebx			/* sendto(fd, msg, 1, 0, &addr, 16) */
	movl $369, %eax
	movl $msg, %ecx
	movl $1, %edx
	xorl %esi, %esi
	movl $addr, %edi
	movl $16, %ebp
	int $0x80
	cmpl $1, %eax
	jne fail
	movl $1, %eax			/* exit(0) */
	xorl %ebx, %ebx
	int $0x80
fail:
	movl $1, %eax			/* exit(1) */
	movl $1, %ebx
	int $0x80
