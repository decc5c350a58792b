/* Unit tests of common/ipc.c over a real SOCK_SEQPACKET socketpair. */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <check.h>

#include "ipc.h"
#include "log.h"
#include "testutil.h"

static int fds[2];
static struct ipc_channel tx, rx;

static void
setup(void)
{
	ck_assert_int_eq(ipc_socketpair(fds), 0);
	ipc_init(&tx, fds[0], "tx");
	ipc_init(&rx, fds[1], "rx");
}

static void
teardown(void)
{
	close(fds[0]);
	close(fds[1]);
}

/* Send raw bytes as one datagram. */
static void
send_raw(const void *buf, size_t len)
{
	ck_assert_int_eq(send(fds[0], buf, len, 0), (ssize_t)len);
}

static void
send_framed(const void *payload, uint32_t len, uint32_t claimed)
{
	uint8_t buf[256];
	uint32_t w;

	ck_assert_uint_le(len + IPC_HEADER_SIZE, sizeof(buf));
	w = htonl(IPC_MAGIC);
	memcpy(buf, &w, 4);
	w = htonl(claimed);
	memcpy(buf + 4, &w, 4);
	memcpy(buf + IPC_HEADER_SIZE, payload, len);
	send_raw(buf, IPC_HEADER_SIZE + len);
}

static void
expect_rejected(enum ipc_reject why)
{
	Lockprobe__Envelope *env = (Lockprobe__Envelope *)1;

	ck_assert_int_eq(ipc_recv(&rx, &env), IPC_RECV_REJECTED);
	ck_assert_ptr_null(env);
	ck_assert_uint_eq(rx.counters.rejected[why], 1);
	ck_assert_uint_eq(ipc_rejected_total(&rx), 1);
	ck_assert_uint_eq(rx.counters.received, 0);
}

START_TEST(test_round_trip)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT, *got;
	Lockprobe__Hello hello = LOCKPROBE__HELLO__INIT;

	hello.protocol_version = 1;
	hello.version = (char *)(uintptr_t)"1.2.3";
	hello.pid = 4242;
	env.id = ipc_next_id(&tx);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HELLO;
	env.hello = &hello;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_uint_eq(got->id, env.id);
	ck_assert_int_eq(got->body_case, LOCKPROBE__ENVELOPE__BODY_HELLO);
	ck_assert_uint_eq(got->hello->pid, 4242);
	ck_assert_str_eq(got->hello->version, "1.2.3");
	ipc_free(got);
	ck_assert_uint_eq(tx.counters.sent, 1);
	ck_assert_uint_eq(rx.counters.received, 1);
	/* nothing more to read */
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_AGAIN);
}
END_TEST

START_TEST(test_ids_fresh_and_nonzero)
{
	uint64_t a = ipc_next_id(&tx), b = ipc_next_id(&tx);

	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(a, b);
	tx.next_id = 0;		/* wrapped */
	ck_assert_uint_ne(ipc_next_id(&tx), 0);
}
END_TEST

START_TEST(test_every_body_round_trips)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT, *got;
	Lockprobe__Heartbeat hb = LOCKPROBE__HEARTBEAT__INIT;
	Lockprobe__HeartbeatAck ack = LOCKPROBE__HEARTBEAT_ACK__INIT;
	Lockprobe__LogLine line = LOCKPROBE__LOG_LINE__INIT;
	Lockprobe__SandboxProbe probe = LOCKPROBE__SANDBOX_PROBE__INIT;
	Lockprobe__Error error = LOCKPROBE__ERROR__INIT;
	Lockprobe__NetdSetup ns = LOCKPROBE__NETD_SETUP__INIT;

	ns.protocol_version = 1;
	ns.state_dir = (char *)(uintptr_t)"/var/lib/lockprobe";
	ns.uid = ns.gid = 100;
	ns.heartbeat_timeout_sec = 15;
	ns.log_level = LOG_INFO;
	hb.sent_usec = ack.sent_usec = 77;
	line.priority = LOG_WARNING;
	line.text = (char *)(uintptr_t)"hello";
	probe.kind = LOCKPROBE__SANDBOX_PROBE__KIND__EXECVE;
	error.reason = (char *)(uintptr_t)"no";

	env.id = 9;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_NETD_SETUP;
	env.netd_setup = &ns;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT_ACK;
	env.heartbeat_ack = &ack;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_LOG_LINE;
	env.log_line = &line;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_SANDBOX_PROBE;
	env.sandbox_probe = &probe;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	env.body_case = LOCKPROBE__ENVELOPE__BODY_ERROR;
	env.error = &error;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);

	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_str_eq(got->netd_setup->state_dir, "/var/lib/lockprobe");
	ipc_free(got);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_uint_eq(got->heartbeat->sent_usec, 77);
	ipc_free(got);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_uint_eq(got->heartbeat_ack->sent_usec, 77);
	ipc_free(got);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_str_eq(got->log_line->text, "hello");
	ipc_free(got);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_int_eq(got->sandbox_probe->kind,
	    LOCKPROBE__SANDBOX_PROBE__KIND__EXECVE);
	ipc_free(got);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_str_eq(got->error->reason, "no");
	ck_assert_uint_eq(got->id, 9);
	ipc_free(got);
	ck_assert_uint_eq(ipc_rejected_total(&rx), 0);
}
END_TEST

START_TEST(test_shorter_than_header)
{
	send_raw("\x4c\x50\x52", 3);
	expect_rejected(IPC_REJECT_TRUNCATED);
}
END_TEST

START_TEST(test_empty_datagram)
{
	send_raw("", 0);
	expect_rejected(IPC_REJECT_TRUNCATED);
}
END_TEST

START_TEST(test_payload_shorter_than_frame)
{
	send_framed("\x08\x01", 2, 40);
	expect_rejected(IPC_REJECT_TRUNCATED);
}
END_TEST

START_TEST(test_payload_longer_than_frame)
{
	send_framed("\x08\x01\x08\x01", 4, 2);
	expect_rejected(IPC_REJECT_UNDECODABLE);
}
END_TEST

START_TEST(test_bad_magic)
{
	static const uint8_t buf[] = { 'H', 'T', 'T', 'P', 0, 0, 0, 0 };

	send_raw(buf, sizeof(buf));
	expect_rejected(IPC_REJECT_BAD_MAGIC);
}
END_TEST

START_TEST(test_oversized)
{
	size_t len = IPC_MAX_DATAGRAM + 100;
	uint8_t *buf = calloc(1, len);
	uint32_t w = htonl(IPC_MAGIC);
	int sndbuf = 4 * 1024 * 1024;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, &w, 4);
	w = htonl((uint32_t)(len - IPC_HEADER_SIZE));
	memcpy(buf + 4, &w, 4);
	setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	send_raw(buf, len);
	free(buf);
	expect_rejected(IPC_REJECT_OVERSIZED);
}
END_TEST

START_TEST(test_undecodable)
{
	/* field 1 as a varint that never ends */
	send_framed("\x08\xff\xff\xff", 4, 4);
	expect_rejected(IPC_REJECT_UNDECODABLE);
}
END_TEST

START_TEST(test_missing_required_id)
{
	/* a heartbeat body (field 12) without the required id */
	send_framed("\x62\x02\x08\x05", 4, 4);
	expect_rejected(IPC_REJECT_UNDECODABLE);
}
END_TEST

START_TEST(test_unknown_field)
{
	/* id 3, a heartbeat (field 12) whose body also has a field 9 that
	 * Heartbeat does not have */
	send_framed("\x08\x03\x62\x04\x08\x05\x48\x01", 8, 8);
	expect_rejected(IPC_REJECT_UNDECODABLE);
}
END_TEST

START_TEST(test_field_zero_overlong_tag)
{
	/* found by fuzz/fuzz_ipc.c: field number 0 (invalid) written as the
	 * over-long tag 0x80 0x00, which protobuf-c 1.4 keeps as an unknown
	 * field, and then encodes as a message it refuses to decode */
	send_framed("\x08\x03\x62\x05\x08\x00\x80\x00\x11", 9, 9);
	expect_rejected(IPC_REJECT_UNDECODABLE);
}
END_TEST

START_TEST(test_unknown_body)
{
	/* id 7, then field 50 (length-delimited, empty): a body from a
	 * later protocol version */
	send_framed("\x08\x07\x92\x03\x00", 5, 5);
	expect_rejected(IPC_REJECT_UNKNOWN);
}
END_TEST

START_TEST(test_send_refuses_oversized)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__LogLine line = LOCKPROBE__LOG_LINE__INIT;
	char *text = malloc(IPC_MAX_PAYLOAD + 1);

	ck_assert_ptr_nonnull(text);
	memset(text, 'a', IPC_MAX_PAYLOAD);
	text[IPC_MAX_PAYLOAD] = '\0';
	line.text = text;
	env.id = 1;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_LOG_LINE;
	env.log_line = &line;
	errno = 0;
	ck_assert_int_eq(ipc_send(&tx, &env), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_uint_eq(tx.counters.send_failed, 1);
	ck_assert_uint_eq(tx.counters.sent, 0);
	free(text);
}
END_TEST

START_TEST(test_send_full_does_not_block)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Heartbeat hb = LOCKPROBE__HEARTBEAT__INIT;
	int i, rc = 0;

	env.id = 1;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	for (i = 0; i < 100000 && rc == 0; i++)
		rc = ipc_send(&tx, &env);
	ck_assert_int_eq(rc, -1);
	ck_assert(errno == EAGAIN || errno == EWOULDBLOCK);
}
END_TEST

START_TEST(test_closed)
{
	Lockprobe__Envelope *env;

	close(fds[0]);
	fds[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(ipc_recv(&rx, &env), IPC_RECV_CLOSED);
	ck_assert_uint_eq(ipc_rejected_total(&rx), 0);
}
END_TEST

START_TEST(test_good_after_bad)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT, *got;
	Lockprobe__Heartbeat hb = LOCKPROBE__HEARTBEAT__INIT;

	send_raw("junk", 4);
	env.id = 5;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	ck_assert_int_eq(ipc_send(&tx, &env), 0);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_REJECTED);
	ck_assert_int_eq(ipc_recv(&rx, &got), IPC_RECV_OK);
	ck_assert_uint_eq(got->id, 5);
	ipc_free(got);
}
END_TEST

START_TEST(test_dispatcher_rejections_counted)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;

	env.id = 3;
	env.body_case = LOCKPROBE__ENVELOPE__BODY_HELLO;
	ipc_reject(&rx, IPC_REJECT_ORDER, &env, "hello twice");
	ipc_reject(&rx, IPC_REJECT_DIRECTION, NULL, NULL);
	ck_assert_uint_eq(rx.counters.rejected[IPC_REJECT_ORDER], 1);
	ck_assert_uint_eq(rx.counters.rejected[IPC_REJECT_DIRECTION], 1);
	ck_assert_uint_eq(ipc_rejected_total(&rx), 2);
	ck_assert_str_eq(ipc_reject_name(IPC_REJECT_ORDER), "out of order");
	ck_assert_str_eq(ipc_body_name(LOCKPROBE__ENVELOPE__BODY_HELLO),
	    "hello");
}
END_TEST

struct drained {
	int	ok;
	int	rejected;
	int	close_after;	/* close the channel after this many */
};

static void
count_ok(Lockprobe__Envelope *env, void *arg)
{
	struct drained *d = arg;

	ck_assert_ptr_nonnull(env);
	if (++d->ok == d->close_after)
		rx.fd = -1;	/* as a dispatcher that drops the peer does */
}

static void
count_rejected(void *arg)
{
	((struct drained *)arg)->rejected++;
}

static void
send_heartbeats(int n)
{
	Lockprobe__Envelope env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Heartbeat hb = LOCKPROBE__HEARTBEAT__INIT;
	int i;

	env.body_case = LOCKPROBE__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	for (i = 0; i < n; i++) {
		env.id = ipc_next_id(&tx);
		ck_assert_int_eq(ipc_send(&tx, &env), 0);
	}
}

START_TEST(test_drain_bounded)
{
	struct drained d = { 0, 0, 0 };

	send_heartbeats(5);
	send_raw("junk", 4);
	send_heartbeats(5);
	/* at most 4 per call: the rest waits for the next wake-up */
	ck_assert_int_eq(ipc_drain(&rx, 4, count_ok, count_rejected, &d),
	    IPC_RECV_AGAIN);
	ck_assert_int_eq(d.ok, 4);
	ck_assert_int_eq(ipc_drain(&rx, 100, count_ok, count_rejected, &d),
	    IPC_RECV_AGAIN);
	ck_assert_int_eq(d.ok, 10);
	ck_assert_int_eq(d.rejected, 1);
	close(fds[0]);
	fds[0] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_eq(ipc_drain(&rx, 100, count_ok, NULL, &d),
	    IPC_RECV_CLOSED);
}
END_TEST

START_TEST(test_drain_stops_when_closed)
{
	struct drained d = { 0, 0, 2 };
	int fd = rx.fd;

	send_heartbeats(5);
	ck_assert_int_eq(ipc_drain(&rx, 100, count_ok, NULL, &d),
	    IPC_RECV_AGAIN);
	ck_assert_int_eq(d.ok, 2);
	rx.fd = fd;
}
END_TEST

static Suite *
ipc_suite(void)
{
	Suite *s = suite_create("ipc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_ids_fresh_and_nonzero);
	tcase_add_test(tc, test_every_body_round_trips);
	tcase_add_test(tc, test_shorter_than_header);
	tcase_add_test(tc, test_empty_datagram);
	tcase_add_test(tc, test_payload_shorter_than_frame);
	tcase_add_test(tc, test_payload_longer_than_frame);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_oversized);
	tcase_add_test(tc, test_undecodable);
	tcase_add_test(tc, test_missing_required_id);
	tcase_add_test(tc, test_unknown_field);
	tcase_add_test(tc, test_field_zero_overlong_tag);
	tcase_add_test(tc, test_unknown_body);
	tcase_add_test(tc, test_send_refuses_oversized);
	tcase_add_test(tc, test_send_full_does_not_block);
	tcase_add_test(tc, test_closed);
	tcase_add_test(tc, test_good_after_bad);
	tcase_add_test(tc, test_dispatcher_rejections_counted);
	tcase_add_test(tc, test_drain_bounded);
	tcase_add_test(tc, test_drain_stops_when_closed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	int failed;

	log_init("check_ipc", 1, LOG_DEBUG);
	failed = test_run_suite(ipc_suite());
	return failed;
}
