/* The TAP back end of virtio-net: attach to an interface the user (or a test, or the host VM's
 * init) made, never create one. A name that is not there is the user's mistake, named as such. */
#include "virtio_net.h"
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int vmm_tap_open(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	if (strlen(name) >= IFNAMSIZ)
		return vmm_fail(err, errlen, "tap name '%s' is too long (at most %u characters)",
				name, IFNAMSIZ - 1);
	/* TUNSETIFF would create a missing interface: look first. */
	if (if_nametoindex(name) == 0)
		return vmm_fail(err, errlen,
				"tap '%s' does not exist (create it first: ip tuntap add dev %s "
				"mode tap)",
				name, name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return vmm_fail(err, errlen, "cannot open /dev/net/tun for tap '%s': %s", name,
				strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		int e = errno;

		close(fd);
		return vmm_fail(err, errlen, "cannot attach to tap '%s': %s%s", name, strerror(e),
				e == EINVAL ? " (not a tap interface)" : "");
	}
	return fd;
}
