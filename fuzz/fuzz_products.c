/*
 * Configuration targets: netd/products.c on any bytes, as a lockstat and
 * as a netd target, and the scope of any custom object.  A lockstat
 * target that parses must pass settings_check (the broker checks it
 * again, but netd must never send what it would refuse) and survive a
 * protobuf round trip.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "products.h"
#include "settings.h"

static volatile size_t sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Lockprobe__CollectorSettings *s, *back;
	struct netd_settings ns;
	struct host_id h = { .name = "db1", .ntags = 1 };
	uint8_t buf[PRODUCT_MAX_FILE * 2];
	json_t *custom;
	char err[512];
	size_t len;

	memcpy(h.tags[0], "db", 3);
	if ((s = product_parse_lockstat("lockstat/f.json", data, size, err,
	    sizeof(err))) != NULL) {
		if (settings_check(s, err, sizeof(err)) != 0)
			fuzz_fail("parsed but refused by settings_check: %s",
			    err);
		len = lockprobe__collector_settings__get_packed_size(s);
		if (len > sizeof(buf))
			fuzz_fail("%zu bytes packed", len);
		lockprobe__collector_settings__pack(s, buf);
		if ((back = lockprobe__collector_settings__unpack(NULL, len,
		    buf)) == NULL)
			fuzz_fail("packed settings do not unpack");
		lockprobe__collector_settings__free_unpacked(back, NULL);
		protobuf_c_message_free_unpacked(&s->base, NULL);
	} else if (strncmp(err, "lockstat/f.json: ", 17) != 0)
		fuzz_fail("error does not name the target: %s", err);
	if (product_parse_netd("netd/f.json", data, size, &ns, err,
	    sizeof(err)) == 0) {
		if (ns.has_poll_interval && (ns.poll_interval_sec < 1 ||
		    ns.poll_interval_sec > 86400))
			fuzz_fail("poll interval %u accepted",
			    ns.poll_interval_sec);
	}
	if ((custom = tuf_json_loadb((const char *)data, size,
	    PRODUCT_MAX_FILE, 0, NULL, 0)) != NULL) {
		sink += (size_t)product_scope("lockstat/f.json", custom, &h,
		    err, sizeof(err)) + 1;
		json_decref(custom);
	}
	return 0;
}
