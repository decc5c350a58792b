/*
 * The control socket's request path in netd (netd/control.c): a client's
 * datagram is decoded as ipc_recv does it; a malformed one is answered with
 * an error; a decoded one goes through the closed list
 * (control_relay_build), and what netd would relay to lockprobed is encoded
 * and decoded as lockprobed's side decodes it.  The relayed message must be
 * a status or reload request and nothing else, whatever the client sent.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ipc.h"
#include "log.h"
#include "netd.h"

static struct ipc_channel	client, privd_in;


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_init();
	ipc_init(&client, -1, "control client");
	ipc_init(&privd_in, -1, "netd");
	return 0;
}

static Lockprobe__Envelope *
through_ipc(struct ipc_channel *to, const Lockprobe__Envelope *env)
{
	Lockprobe__Envelope *out;
	uint8_t buf[IPC_MAX_DATAGRAM];
	ssize_t len;

	if ((len = ipc_encode(env, buf, sizeof(buf))) == -1)
		fuzz_fail("a relayed message of %zu bytes",
		    lockprobe__envelope__get_packed_size(env));
	if (ipc_decode(to, buf, (size_t)len, 0, &out) != IPC_RECV_OK)
		fuzz_fail("lockprobed cannot decode what netd relays");
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Lockprobe__Envelope err_env = LOCKPROBE__ENVELOPE__INIT;
	Lockprobe__Error err = LOCKPROBE__ERROR__INIT;
	Lockprobe__Envelope *req, *relayed;
	struct control_relay fwd;
	int answer;

	if (ipc_decode(&client, data, size, 0, &req) != IPC_RECV_OK) {
		/* send_error(c, 0, "malformed message") */
		err.reason = (char *)(uintptr_t)"malformed message";
		err_env.body_case = LOCKPROBE__ENVELOPE__BODY_ERROR;
		err_env.error = &err;
		ipc_free(through_ipc(&privd_in, &err_env));
		return 0;
	}
	answer = control_relay_build(req, &fwd);
	switch (answer) {
	case 0:
		if (req->body_case == LOCKPROBE__ENVELOPE__BODY_STATUS_REQUEST ||
		    req->body_case == LOCKPROBE__ENVELOPE__BODY_RELOAD_REQUEST ||
		    req->body_case == LOCKPROBE__ENVELOPE__BODY_STATS_REQUEST ||
		    req->body_case == LOCKPROBE__ENVELOPE__BODY_REWALK_REQUEST)
			fuzz_fail("a control request was refused");
		ipc_reject(&client, IPC_REJECT_DIRECTION, req,
		    "not a control request");
		break;
	case LOCKPROBE__ENVELOPE__BODY_STATUS_REPLY:
	case LOCKPROBE__ENVELOPE__BODY_RELOAD_REPLY:
	case LOCKPROBE__ENVELOPE__BODY_REWALK_REPLY:
		fwd.env.id = 1;
		relayed = through_ipc(&privd_in, &fwd.env);
		if (relayed->body_case != req->body_case)
			fuzz_fail("relayed %s for %s",
			    ipc_body_name(relayed->body_case),
			    ipc_body_name(req->body_case));
		if (lockprobe__envelope__get_packed_size(&fwd.env) > 8)
			fuzz_fail("the relayed message carries client data");
		ipc_free(relayed);
		break;
	case LOCKPROBE__ENVELOPE__BODY_STATS_REPLY:
		/* only the two typed fields travel, unchanged */
		fwd.env.id = 1;
		relayed = through_ipc(&privd_in, &fwd.env);
		if (relayed->body_case != req->body_case ||
		    relayed->stats_request->has_map_id !=
		    req->stats_request->has_map_id ||
		    relayed->stats_request->map_id !=
		    req->stats_request->map_id ||
		    relayed->stats_request->has_after_map_id !=
		    req->stats_request->has_after_map_id ||
		    relayed->stats_request->after_map_id !=
		    req->stats_request->after_map_id)
			fuzz_fail("stats request not relayed as asked");
		if (lockprobe__envelope__get_packed_size(&fwd.env) > 8 + 12)
			fuzz_fail("the relayed message carries client data");
		ipc_free(relayed);
		break;
	default:
		fuzz_fail("unexpected answer case %d", answer);
	}
	ipc_free(req);
	return 0;
}
