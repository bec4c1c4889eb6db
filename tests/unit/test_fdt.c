/*
 * Unit tests of the DTB reader (src/hyp/lib/fdt.c): blobs compiled by dtc (sources in the
 * comments below, embedded byte for byte), blobs assembled token by token to build malformed
 * structures dtc refuses to write, and hand-corrupted headers. Every blob is checked from an
 * exact-size heap copy so that ASan catches any read past its end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <gzhyp/fdt.h>

/*
 * dtb_a = dtc -I dts -O dtb of:
 *   /memreserve/ 0x48000000 0x1000; /memreserve/ 0x49000000 0x2000;
 *   / { #address-cells = <2>; #size-cells = <2>; compatible = "opengz,test";
 *     chosen { bootargs = "gz.test=none"; stdout-path = "/pl011@9000000:115200"; };
 *     memory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x20000000>; };
 *     memory@100000000 { device_type = "memory";
 *                        reg = <0x1 0x0 0x0 0x10000000>, <0x1 0x80000000 0x0 0x1000>; };
 *     cpus { #address-cells = <1>; #size-cells = <0>;
 *       cpu@0 { device_type = "cpu"; reg = <0x0>; enable-method = "psci"; };
 *       cpu@1 { device_type = "cpu"; reg = <0x1>; enable-method = "psci"; };
 *       cpu-map { cluster0 { }; }; };
 *     intc@8000000 { compatible = "arm,gic-v3";
 *                    reg = <0x0 0x8000000 0x0 0x10000>, <0x0 0x80a0000 0x0 0xf60000>; };
 *     pl011@9000000 { compatible = "arm,pl011", "arm,primecell";
 *                     reg = <0x0 0x9000000 0x0 0x1000>; };
 *     soc { #address-cells = <1>; #size-cells = <1>;
 *       uart@1000 { compatible = "ns16550a"; reg = <0x1000 0x100>; };
 *       flags { flag; };
 *       badreg { reg = <1 2 3>; }; };
 *     badcells { #address-cells = <3>; child { reg = <0 0 0 0>; }; };
 *     badcells2 { #address-cells = [00 01]; child { reg = <0>; }; };
 *     zerocells { #address-cells = <0>; #size-cells = <0>; child { reg = <>; }; }; };
 *
 * dtb_b = dtc of (default #address-cells 2 / #size-cells 1 at the root):
 *   / { model = "defaults";
 *     memory { device_type = "memory"; };
 *     memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x4000000>; };
 *     memory@1 { device_type = "memory"; reg = <0x0 0x1 0x2 0x3>; }; };
 */
static const uint8_t dtb_a[] = {
    0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x05, 0x16, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x04, 0xb8,
    0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x5e, 0x00, 0x00, 0x04, 0x60, 0x00, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x1b, 0x6f, 0x70, 0x65, 0x6e,
    0x67, 0x7a, 0x2c, 0x74, 0x65, 0x73, 0x74, 0x00, 0x00, 0x00, 0x00, 0x01, 0x63, 0x68, 0x6f, 0x73,
    0x65, 0x6e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x26,
    0x67, 0x7a, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x3d, 0x6e, 0x6f, 0x6e, 0x65, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x2f, 0x2f, 0x70, 0x6c, 0x30,
    0x31, 0x31, 0x40, 0x39, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x3a, 0x31, 0x31, 0x35, 0x32, 0x30,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x6d, 0x65, 0x6d, 0x6f,
    0x72, 0x79, 0x40, 0x34, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x3b, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x00,
    0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x01, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x40, 0x31, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,
    0x00, 0x00, 0x00, 0x3b, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x63, 0x70, 0x75, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x63, 0x70, 0x75, 0x40,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3b,
    0x63, 0x70, 0x75, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x47,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x4b,
    0x70, 0x73, 0x63, 0x69, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x63, 0x70, 0x75, 0x40, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x3b, 0x63, 0x70, 0x75, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x05,
    0x00, 0x00, 0x00, 0x4b, 0x70, 0x73, 0x63, 0x69, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x01, 0x63, 0x70, 0x75, 0x2d, 0x6d, 0x61, 0x70, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x63, 0x6c, 0x75, 0x73, 0x74, 0x65, 0x72, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x69, 0x6e, 0x74, 0x63,
    0x40, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x1b, 0x61, 0x72, 0x6d, 0x2c, 0x67, 0x69, 0x63, 0x2d,
    0x76, 0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x47,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf6, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x70, 0x6c, 0x30, 0x31, 0x31, 0x40, 0x39, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x18,
    0x00, 0x00, 0x00, 0x1b, 0x61, 0x72, 0x6d, 0x2c, 0x70, 0x6c, 0x30, 0x31, 0x31, 0x00, 0x61, 0x72,
    0x6d, 0x2c, 0x70, 0x72, 0x69, 0x6d, 0x65, 0x63, 0x65, 0x6c, 0x6c, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x73, 0x6f, 0x63, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0f,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x75, 0x61, 0x72, 0x74, 0x40, 0x31, 0x30, 0x30,
    0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x1b,
    0x6e, 0x73, 0x31, 0x36, 0x35, 0x35, 0x30, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x66, 0x6c, 0x61, 0x67, 0x73, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x59, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x01, 0x62, 0x61, 0x64, 0x72, 0x65, 0x67, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x62, 0x61, 0x64, 0x63, 0x65, 0x6c, 0x6c, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
    0x63, 0x68, 0x69, 0x6c, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10,
    0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x62, 0x61, 0x64, 0x63, 0x65, 0x6c, 0x6c, 0x73, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x63, 0x68, 0x69, 0x6c, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04,
    0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x01, 0x7a, 0x65, 0x72, 0x6f, 0x63, 0x65, 0x6c, 0x6c, 0x73, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x01, 0x63, 0x68, 0x69, 0x6c, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x47, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x23, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73,
    0x2d, 0x63, 0x65, 0x6c, 0x6c, 0x73, 0x00, 0x23, 0x73, 0x69, 0x7a, 0x65, 0x2d, 0x63, 0x65, 0x6c,
    0x6c, 0x73, 0x00, 0x63, 0x6f, 0x6d, 0x70, 0x61, 0x74, 0x69, 0x62, 0x6c, 0x65, 0x00, 0x62, 0x6f,
    0x6f, 0x74, 0x61, 0x72, 0x67, 0x73, 0x00, 0x73, 0x74, 0x64, 0x6f, 0x75, 0x74, 0x2d, 0x70, 0x61,
    0x74, 0x68, 0x00, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x00, 0x72,
    0x65, 0x67, 0x00, 0x65, 0x6e, 0x61, 0x62, 0x6c, 0x65, 0x2d, 0x6d, 0x65, 0x74, 0x68, 0x6f, 0x64,
    0x00, 0x66, 0x6c, 0x61, 0x67, 0x00,
};

static const uint8_t dtb_b[] = {
    0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x01, 0x0c,
    0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0xd4, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x64, 0x65, 0x66, 0x61,
    0x75, 0x6c, 0x74, 0x73, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x6d, 0x65, 0x6d, 0x6f,
    0x72, 0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x06,
    0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x40, 0x38, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x6d, 0x65, 0x6d, 0x6f,
    0x72, 0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x12,
    0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x01, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x40, 0x31, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x6d, 0x65, 0x6d, 0x6f,
    0x72, 0x79, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x12,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09, 0x6d, 0x6f, 0x64, 0x65,
    0x6c, 0x00, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x5f, 0x74, 0x79, 0x70, 0x65, 0x00, 0x72, 0x65,
    0x67, 0x00,
};

/* ---- helpers ------------------------------------------------------------------------- */

struct blob {
	uint8_t *p;
	size_t n;
};

/* An exact-size heap copy, so any overread is an ASan error. */
static struct blob copy(const void *src, size_t n)
{
	struct blob b = {malloc(n ? n : 1), n};

	assert_non_null(b.p);
	memcpy(b.p, src, n);
	return b;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int check_copy(const void *src, size_t n)
{
	struct blob b = copy(src, n);
	struct gz_fdt fdt;
	int rc = gz_fdt_check(&fdt, b.p, b.n);

	free(b.p);
	return rc;
}

static struct gz_fdt checked(struct blob b)
{
	struct gz_fdt fdt;

	assert_int_equal(gz_fdt_check(&fdt, b.p, b.n), GZ_FDT_OK);
	return fdt;
}

static int path(const struct gz_fdt *fdt, const char *p)
{
	int n = gz_fdt_path(fdt, p);

	return n;
}

/* Token-by-token blob builder: header, an empty reservation map, structure, strings. */
#define B_STRUCT 56U /* 40-byte header + one 16-byte terminator entry */

struct bld {
	uint8_t b[4096];
	uint32_t pos;
	char str[512];
	uint32_t strl;
};

static void b_init(struct bld *b)
{
	memset(b, 0, sizeof(*b));
	b->pos = B_STRUCT;
}

static void b_word(struct bld *b, uint32_t v)
{
	put_be32(b->b + b->pos, v);
	b->pos += 4;
}

static void b_begin(struct bld *b, const char *name)
{
	size_t n = strlen(name) + 1;

	b_word(b, GZ_FDT_BEGIN_NODE);
	memcpy(b->b + b->pos, name, n);
	b->pos += (uint32_t)((n + 3) & ~3UL);
}

static uint32_t b_string(struct bld *b, const char *s)
{
	uint32_t off = b->strl;

	strcpy(b->str + off, s);
	b->strl += (uint32_t)strlen(s) + 1;
	return off;
}

static void b_prop_raw(struct bld *b, uint32_t nameoff, const void *data, uint32_t len)
{
	b_word(b, GZ_FDT_PROP);
	b_word(b, len);
	b_word(b, nameoff);
	if (len)
		memcpy(b->b + b->pos, data, len);
	b->pos += (len + 3) & ~3U;
}

static void b_prop(struct bld *b, const char *name, const void *data, uint32_t len)
{
	b_prop_raw(b, b_string(b, name), data, len);
}

static void b_prop_u32(struct bld *b, const char *name, uint32_t v)
{
	uint8_t d[4];

	put_be32(d, v);
	b_prop(b, name, d, 4);
}

static void b_end_node(struct bld *b)
{
	b_word(b, GZ_FDT_END_NODE);
}

/* Writes strings and header; returns the blob. */
static struct blob b_finish(struct bld *b)
{
	uint32_t size_struct = b->pos - B_STRUCT, off_strings = b->pos;
	uint32_t total = off_strings + b->strl;

	memcpy(b->b + off_strings, b->str, b->strl);
	put_be32(b->b + 0, GZ_FDT_MAGIC);
	put_be32(b->b + 4, total);
	put_be32(b->b + 8, B_STRUCT);
	put_be32(b->b + 12, off_strings);
	put_be32(b->b + 16, 40);
	put_be32(b->b + 20, 17);
	put_be32(b->b + 24, 16);
	put_be32(b->b + 28, 0);
	put_be32(b->b + 32, b->strl);
	put_be32(b->b + 36, size_struct);
	return copy(b->b, total);
}

/* ---- dtc-compiled trees ------------------------------------------------------------- */

static void test_dtc_tree_walk(void **state)
{
	(void)state;
	struct blob b = copy(dtb_a, sizeof(dtb_a));
	struct gz_fdt fdt = checked(b);
	static const struct {
		const char *name;
		int depth;
	} want[] = {
	    {"", 0},	      {"chosen", 1},	   {"memory@40000000", 1}, {"memory@100000000", 1},
	    {"cpus", 1},      {"cpu@0", 2},	   {"cpu@1", 2},	   {"cpu-map", 2},
	    {"cluster0", 3},  {"intc@8000000", 1}, {"pl011@9000000", 1},   {"soc", 1},
	    {"uart@1000", 2}, {"flags", 2},	   {"badreg", 2},	   {"badcells", 1},
	    {"child", 2},     {"badcells2", 1},	   {"child", 2},	   {"zerocells", 1},
	    {"child", 2},
	};
	int n = -1, depth = -7;

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		n = gz_fdt_next_node(&fdt, n, &depth);
		assert_true(n >= 0);
		assert_string_equal(gz_fdt_node_name(&fdt, n), want[i].name);
		assert_int_equal(depth, want[i].depth);
	}
	assert_int_equal(gz_fdt_next_node(&fdt, n, &depth), GZ_FDT_E_NOTFOUND);
	assert_int_equal(fdt.totalsize, sizeof(dtb_a));
	free(b.p);
}

static void test_dtc_subnodes_parent_path(void **state)
{
	(void)state;
	struct blob b = copy(dtb_a, sizeof(dtb_a));
	struct gz_fdt fdt = checked(b);
	int root = path(&fdt, "/"), cpus = path(&fdt, "/cpus"), c0, c1, map;

	assert_true(root >= 0);
	assert_true(cpus > root);
	c0 = gz_fdt_next_subnode(&fdt, cpus, -1);
	c1 = gz_fdt_next_subnode(&fdt, cpus, c0);
	map = gz_fdt_next_subnode(&fdt, cpus, c1);
	assert_string_equal(gz_fdt_node_name(&fdt, c0), "cpu@0");
	assert_string_equal(gz_fdt_node_name(&fdt, c1), "cpu@1");
	assert_string_equal(gz_fdt_node_name(&fdt, map), "cpu-map");
	assert_int_equal(gz_fdt_next_subnode(&fdt, cpus, map), GZ_FDT_E_NOTFOUND);
	/* A leaf has no children; the last child of the root has no sibling. */
	assert_int_equal(gz_fdt_next_subnode(&fdt, c0, -1), GZ_FDT_E_NOTFOUND);
	assert_int_equal(gz_fdt_next_subnode(&fdt, root, path(&fdt, "/zerocells")),
			 GZ_FDT_E_NOTFOUND);

	assert_int_equal(gz_fdt_parent(&fdt, c1), cpus);
	assert_int_equal(gz_fdt_parent(&fdt, cpus), root);
	assert_int_equal(gz_fdt_parent(&fdt, path(&fdt, "/cpus/cpu-map/cluster0")), map);
	assert_int_equal(gz_fdt_parent(&fdt, root), GZ_FDT_E_NOTFOUND);

	assert_int_equal(path(&fdt, "/cpus/cpu@1"), c1);
	assert_int_equal(path(&fdt, "/cpus/cpu"), c0); /* unit-less name matches the first */
	assert_int_equal(path(&fdt, "//cpus//cpu@1/"), c1);
	assert_int_equal(path(&fdt, "/cpus/cpu@2"), GZ_FDT_E_NOTFOUND);
	assert_int_equal(path(&fdt, "/cpus/cpu@"), GZ_FDT_E_NOTFOUND);
	assert_int_equal(path(&fdt, "/cpu"), GZ_FDT_E_NOTFOUND);    /* prefix is not a match */
	assert_int_equal(path(&fdt, "/cpus@0"), GZ_FDT_E_NOTFOUND); /* unit must match */
	assert_int_equal(path(&fdt, "/soc/uart"), path(&fdt, "/soc/uart@1000"));
	assert_int_equal(path(&fdt, "cpus"), GZ_FDT_E_BADARG);
	assert_int_equal(gz_fdt_path(&fdt, NULL), GZ_FDT_E_BADARG);
	assert_int_equal(gz_fdt_subnode(&fdt, root, "pl011"), path(&fdt, "/pl011@9000000"));
	assert_int_equal(gz_fdt_subnode(&fdt, root, "nothing"), GZ_FDT_E_NOTFOUND);
	free(b.p);
}

static void test_dtc_properties(void **state)
{
	(void)state;
	struct blob b = copy(dtb_a, sizeof(dtb_a));
	struct gz_fdt fdt = checked(b);
	struct gz_fdt_prop p;
	int chosen = path(&fdt, "/chosen"), cursor = 0, count = 0;
	uint32_t v;

	while (gz_fdt_next_prop(&fdt, chosen, &cursor, &p) == GZ_FDT_OK) {
		/* Every property lies inside the blob. */
		assert_true(p.data >= b.p && p.data + p.len <= b.p + b.n);
		assert_true((const uint8_t *)p.name >= b.p && (const uint8_t *)p.name < b.p + b.n);
		count++;
	}
	assert_int_equal(count, 2);
	assert_int_equal(gz_fdt_next_prop(&fdt, chosen, &cursor, &p), GZ_FDT_E_NOTFOUND);

	assert_int_equal(gz_fdt_getprop(&fdt, chosen, "bootargs", &p), GZ_FDT_OK);
	assert_int_equal(p.len, strlen("gz.test=none") + 1);
	assert_string_equal((const char *)p.data, "gz.test=none");
	assert_int_equal(gz_fdt_getprop(&fdt, chosen, "nope", &p), GZ_FDT_E_NOTFOUND);
	/* A node with only subnodes has no properties. */
	assert_int_equal(gz_fdt_getprop(&fdt, path(&fdt, "/cpus/cpu-map"), "x", &p),
			 GZ_FDT_E_NOTFOUND);
	/* An empty property. */
	assert_int_equal(gz_fdt_getprop(&fdt, path(&fdt, "/soc/flags"), "flag", &p), GZ_FDT_OK);
	assert_int_equal(p.len, 0);

	assert_int_equal(gz_fdt_getprop_u32(&fdt, path(&fdt, "/cpus/cpu@1"), "reg", &v), GZ_FDT_OK);
	assert_int_equal(v, 1);
	assert_int_equal(gz_fdt_getprop_u32(&fdt, chosen, "bootargs", &v), GZ_FDT_E_BADVALUE);
	assert_int_equal(gz_fdt_getprop_u32(&fdt, chosen, "nope", &v), GZ_FDT_E_NOTFOUND);

	assert_int_equal(gz_fdt_getprop(&fdt, path(&fdt, "/pl011@9000000"), "compatible", &p),
			 GZ_FDT_OK);
	assert_true(gz_fdt_stringlist_contains(&p, "arm,pl011"));
	assert_true(gz_fdt_stringlist_contains(&p, "arm,primecell"));
	assert_false(gz_fdt_stringlist_contains(&p, "arm,pl01"));
	assert_false(gz_fdt_stringlist_contains(&p, "primecell"));
	free(b.p);
}

static void test_dtc_platform_queries(void **state)
{
	(void)state;
	struct blob b = copy(dtb_a, sizeof(dtb_a));
	struct gz_fdt fdt = checked(b);
	uint64_t a, s;
	int gic, uart;

	assert_int_equal(gz_fdt_find_memory(&fdt, 0, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x40000000);
	assert_int_equal(s, 0x20000000);
	assert_int_equal(gz_fdt_find_memory(&fdt, 1, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x100000000ULL);
	assert_int_equal(s, 0x10000000);
	assert_int_equal(gz_fdt_find_memory(&fdt, 2, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x180000000ULL);
	assert_int_equal(s, 0x1000);
	assert_int_equal(gz_fdt_find_memory(&fdt, 3, &a, &s), GZ_FDT_E_NOTFOUND);

	assert_int_equal(gz_fdt_cpu_count(&fdt), 2); /* cpu-map is not a cpu */

	gic = gz_fdt_find_compatible(&fdt, -1, "arm,gic-v3");
	assert_string_equal(gz_fdt_node_name(&fdt, gic), "intc@8000000");
	assert_int_equal(gz_fdt_reg(&fdt, gic, 0, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x8000000);
	assert_int_equal(s, 0x10000);
	assert_int_equal(gz_fdt_reg(&fdt, gic, 1, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x80a0000);
	assert_int_equal(s, 0xf60000);
	assert_int_equal(gz_fdt_reg(&fdt, gic, 2, &a, &s), GZ_FDT_E_NOTFOUND);
	assert_int_equal(gz_fdt_find_compatible(&fdt, gic, "arm,gic-v3"), GZ_FDT_E_NOTFOUND);

	uart = gz_fdt_find_compatible(&fdt, -1, "arm,primecell");
	assert_int_equal(uart, path(&fdt, "/pl011@9000000"));
	/* The root itself can match. */
	assert_int_equal(gz_fdt_find_compatible(&fdt, -1, "opengz,test"), path(&fdt, "/"));

	/* Cells from the parent: /soc uses 1/1, /cpus 1/0. */
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/soc/uart@1000"), 0, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x1000);
	assert_int_equal(s, 0x100);
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/cpus/cpu@1"), 0, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 1);
	assert_int_equal(s, 0);
	assert_int_equal(gz_fdt_addr_cells(&fdt, path(&fdt, "/cpus")), 1);
	assert_int_equal(gz_fdt_size_cells(&fdt, path(&fdt, "/cpus")), 0);

	/* Reservation map. */
	assert_int_equal(gz_fdt_rsv(&fdt, 0, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x48000000);
	assert_int_equal(s, 0x1000);
	assert_int_equal(gz_fdt_rsv(&fdt, 1, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x49000000);
	assert_int_equal(s, 0x2000);
	assert_int_equal(gz_fdt_rsv(&fdt, 2, &a, &s), GZ_FDT_E_NOTFOUND);
	free(b.p);
}

static void test_dtc_bad_reg_and_cells(void **state)
{
	(void)state;
	struct blob b = copy(dtb_a, sizeof(dtb_a));
	struct gz_fdt fdt = checked(b);
	uint64_t a, s;

	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/soc/badreg"), 0, &a, &s), GZ_FDT_E_BADVALUE);
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/badcells/child"), 0, &a, &s),
			 GZ_FDT_E_BADCELLS);
	assert_int_equal(gz_fdt_addr_cells(&fdt, path(&fdt, "/badcells")), GZ_FDT_E_BADCELLS);
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/badcells2/child"), 0, &a, &s),
			 GZ_FDT_E_BADCELLS);
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/zerocells/child"), 0, &a, &s),
			 GZ_FDT_E_BADVALUE);
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/"), 0, &a, &s), GZ_FDT_E_BADARG);
	assert_int_equal(gz_fdt_reg(&fdt, path(&fdt, "/chosen"), 0, &a, &s), GZ_FDT_E_NOTFOUND);
	assert_int_equal(gz_fdt_reg(&fdt, 3, 0, &a, &s), GZ_FDT_E_BADARG);
	free(b.p);
}

static void test_dtc_default_cells(void **state)
{
	(void)state;
	struct blob b = copy(dtb_b, sizeof(dtb_b));
	struct gz_fdt fdt = checked(b);
	uint64_t a = 0, s = 0;

	assert_int_equal(gz_fdt_addr_cells(&fdt, path(&fdt, "/")), 2);
	assert_int_equal(gz_fdt_size_cells(&fdt, path(&fdt, "/")), 1);
	/* "memory" without reg has no regions; memory@1 has a bad reg. */
	assert_int_equal(gz_fdt_find_memory(&fdt, 0, &a, &s), GZ_FDT_OK);
	assert_int_equal(a, 0x80000000);
	assert_int_equal(s, 0x4000000);
	assert_int_equal(gz_fdt_find_memory(&fdt, 1, &a, &s), GZ_FDT_E_BADVALUE);
	assert_int_equal(gz_fdt_cpu_count(&fdt), GZ_FDT_E_NOTFOUND);
	assert_int_equal(gz_fdt_find_compatible(&fdt, -1, "x"), GZ_FDT_E_NOTFOUND);
	assert_int_equal(gz_fdt_rsv(&fdt, 0, &a, &s), GZ_FDT_E_NOTFOUND);
	free(b.p);
}

static void test_read_cells(void **state)
{
	(void)state;
	static const uint8_t c[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
	uint64_t v = 99;

	assert_int_equal(gz_fdt_read_cells(c, 0, &v), GZ_FDT_OK);
	assert_int_equal(v, 0);
	assert_int_equal(gz_fdt_read_cells(c, 1, &v), GZ_FDT_OK);
	assert_int_equal(v, 0x12345678);
	assert_int_equal(gz_fdt_read_cells(c, 2, &v), GZ_FDT_OK);
	assert_int_equal(v, 0x123456789abcdef0ULL);
	assert_int_equal(gz_fdt_read_cells(c, 3, &v), GZ_FDT_E_BADCELLS);
}

static void test_stringlist(void **state)
{
	(void)state;
	static const uint8_t two[] = "ab\0cd"; /* 6 bytes: both terminated */
	static const uint8_t open_end[] = {'a', 0, 'x', 'y'};
	struct gz_fdt_prop p = {"compatible", two, sizeof(two)};

	assert_true(gz_fdt_stringlist_contains(&p, "ab"));
	assert_true(gz_fdt_stringlist_contains(&p, "cd"));
	assert_false(gz_fdt_stringlist_contains(&p, "c"));
	p.data = open_end;
	p.len = sizeof(open_end);
	assert_true(gz_fdt_stringlist_contains(&p, "a"));
	assert_false(gz_fdt_stringlist_contains(&p, "xy")); /* unterminated entry never matches */
	p.len = 0;
	assert_false(gz_fdt_stringlist_contains(&p, ""));
}

/* ---- header corruption ------------------------------------------------------------- */

static void test_truncated_everywhere(void **state)
{
	(void)state;
	/* Every prefix of a valid blob is rejected, and read only within its bytes. */
	for (size_t n = 0; n < sizeof(dtb_a); n++)
		assert_int_equal(check_copy(dtb_a, n), GZ_FDT_E_TRUNCATED);
	assert_int_equal(check_copy(dtb_a, sizeof(dtb_a)), GZ_FDT_OK);
	assert_int_equal(gz_fdt_check(&(struct gz_fdt){0}, NULL, 100), GZ_FDT_E_TRUNCATED);
}

static void test_totalsize(void **state)
{
	(void)state;
	uint32_t t = 0;
	uint8_t bad[40] = {0};

	assert_int_equal(gz_fdt_totalsize(dtb_a, sizeof(dtb_a), &t), GZ_FDT_OK);
	assert_int_equal(t, sizeof(dtb_a));
	assert_int_equal(gz_fdt_totalsize(dtb_a, 39, &t), GZ_FDT_E_TRUNCATED);
	assert_int_equal(gz_fdt_totalsize(NULL, 40, &t), GZ_FDT_E_TRUNCATED);
	assert_int_equal(gz_fdt_totalsize(bad, sizeof(bad), &t), GZ_FDT_E_BADMAGIC);
}

static void test_header_corruptions(void **state)
{
	(void)state;
	const uint32_t ts = sizeof(dtb_a);
	const uint32_t off_struct = get_be32(dtb_a + 8), off_strings = get_be32(dtb_a + 12);
	const uint32_t size_struct = get_be32(dtb_a + 36);
	static const struct {
		const char *what;
		unsigned field;
		int64_t value; /* < 0: relative to a header value, see below */
		int want;
	} cases[] = {
	    {"bad magic", 0, 0xd00dfeee, GZ_FDT_E_BADMAGIC},
	    {"totalsize beyond the buffer", 4, -1, GZ_FDT_E_TRUNCATED},
	    {"totalsize below header", 4, 39, GZ_FDT_E_BADLAYOUT},
	    {"version 16", 20, 16, GZ_FDT_E_BADVERSION},
	    {"last compatible version 18", 24, 18, GZ_FDT_E_BADVERSION},
	    {"struct offset misaligned", 8, -2, GZ_FDT_E_BADLAYOUT},
	    {"struct offset inside header", 8, 36, GZ_FDT_E_BADLAYOUT},
	    {"struct block past the end", 36, -3, GZ_FDT_E_BADLAYOUT},
	    {"struct size wraps", 36, 0xfffffffc, GZ_FDT_E_BADLAYOUT},
	    {"strings offset past the end", 12, -4, GZ_FDT_E_BADLAYOUT},
	    {"strings size wraps", 32, 0xffffffff, GZ_FDT_E_BADLAYOUT},
	    {"strings overlap struct", 12, -5, GZ_FDT_E_BADLAYOUT},
	    {"rsvmap misaligned", 16, 44, GZ_FDT_E_BADLAYOUT},
	    {"rsvmap inside header", 16, 32, GZ_FDT_E_BADLAYOUT},
	    {"rsvmap past the end", 16, -6, GZ_FDT_E_BADLAYOUT},
	    {"rsvmap tail shorter than an entry", 16, -7, GZ_FDT_E_BADLAYOUT},
	    {"rsvmap without terminator", 16, -9, GZ_FDT_E_BADLAYOUT},
	    {"struct block empty", 36, 0, GZ_FDT_E_BADSTRUCT},
	    {"struct block cut inside", 36, -8, GZ_FDT_E_BADSTRUCT},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct blob b = copy(dtb_a, sizeof(dtb_a));
		struct gz_fdt fdt;
		uint32_t v;

		switch (cases[i].value) {
		case -1:
			v = ts + 1;
			break;
		case -2:
			v = off_struct + 2;
			break;
		case -3:
			v = ts - off_struct + 4;
			break;
		case -4:
			v = ts + 8;
			break;
		case -5:
			v = off_struct + 8;
			break;
		case -6:
			v = ts + 8;
			break;
		case -7:
			v = (ts - 8) & ~7U;
			break; /* last bytes: strings, not a zero entry */
		case -8:
			v = size_struct - 4;
			break; /* drops the FDT_END token */
		case -9:
			v = (ts - 64) & ~7U;
			break; /* strings text: no all-zero entry */
		default:
			v = (uint32_t)cases[i].value;
			break;
		}
		put_be32(b.p + cases[i].field, v);
		print_message("case: %s\n", cases[i].what);
		assert_int_equal(gz_fdt_check(&fdt, b.p, b.n), cases[i].want);
		free(b.p);
	}
	(void)off_strings;
	/* A totalsize beyond INT32_MAX cannot name nodes with int offsets. */
	{
		uint8_t h[64];

		memcpy(h, dtb_a, sizeof(h));
		put_be32(h + 4, 0x80000000U);
		assert_int_equal(gz_fdt_check(&(struct gz_fdt){0}, h, 0x80000000U),
				 GZ_FDT_E_BADLAYOUT);
	}
}

/* ---- structure corruption (built token by token) ----------------------------------- */

static int check_blob(struct blob b)
{
	struct gz_fdt fdt;
	int rc = gz_fdt_check(&fdt, b.p, b.n);

	free(b.p);
	return rc;
}

static void test_built_valid_with_nops(void **state)
{
	(void)state;
	struct bld b;
	struct gz_fdt fdt;
	struct gz_fdt_prop p;
	struct blob bl;
	int root, child, cursor = 0;
	uint32_t v;

	b_init(&b);
	b_word(&b, GZ_FDT_NOP);
	b_begin(&b, "");
	b_word(&b, GZ_FDT_NOP);
	b_prop_u32(&b, "a", 1);
	b_word(&b, GZ_FDT_NOP);
	b_prop_u32(&b, "b", 2);
	b_begin(&b, "child@1");
	b_word(&b, GZ_FDT_NOP);
	b_end_node(&b);
	b_word(&b, GZ_FDT_NOP);
	b_end_node(&b);
	b_word(&b, GZ_FDT_NOP);
	b_word(&b, GZ_FDT_END);
	bl = b_finish(&b);
	assert_int_equal(gz_fdt_check(&fdt, bl.p, bl.n), GZ_FDT_OK);
	root = gz_fdt_path(&fdt, "/");
	assert_int_equal(root, 4); /* after the leading NOP */
	assert_int_equal(gz_fdt_next_prop(&fdt, root, &cursor, &p), GZ_FDT_OK);
	assert_string_equal(p.name, "a");
	assert_int_equal(gz_fdt_next_prop(&fdt, root, &cursor, &p), GZ_FDT_OK);
	assert_string_equal(p.name, "b");
	assert_int_equal(gz_fdt_next_prop(&fdt, root, &cursor, &p), GZ_FDT_E_NOTFOUND);
	assert_int_equal(gz_fdt_getprop_u32(&fdt, root, "b", &v), GZ_FDT_OK);
	assert_int_equal(v, 2);
	child = gz_fdt_path(&fdt, "/child");
	assert_string_equal(gz_fdt_node_name(&fdt, child), "child@1");
	assert_int_equal(gz_fdt_parent(&fdt, child), root);
	free(bl.p);
}

static struct blob nest(unsigned depth)
{
	struct bld b;

	b_init(&b);
	for (unsigned i = 0; i < depth; i++)
		b_begin(&b, i ? "n" : "");
	for (unsigned i = 0; i < depth; i++)
		b_end_node(&b);
	b_word(&b, GZ_FDT_END);
	return b_finish(&b);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct blob ok = nest(GZ_FDT_MAX_DEPTH);
	struct gz_fdt fdt;
	int n = -1, d = 0, last = -1, deepest = 0;

	assert_int_equal(gz_fdt_check(&fdt, ok.p, ok.n), GZ_FDT_OK);
	while ((n = gz_fdt_next_node(&fdt, n, &d)) >= 0) {
		last = n;
		deepest = d;
	}
	assert_int_equal(deepest, GZ_FDT_MAX_DEPTH - 1);
	assert_true(gz_fdt_parent(&fdt, last) >= 0);
	free(ok.p);
	assert_int_equal(check_blob(nest(GZ_FDT_MAX_DEPTH + 1)), GZ_FDT_E_DEPTH);
}

enum shape {
	S_UNTERMINATED_NAME,
	S_BAD_TOKEN,
	S_OVERLONG_PROP,
	S_PROP_HEADER_CUT,
	S_NAMEOFF_OUT_OF_RANGE,
	S_NAME_UNTERMINATED,
	S_PROP_AFTER_SUBNODE,
	S_PROP_BEFORE_ROOT,
	S_END_NODE_AT_TOP,
	S_TWO_ROOTS,
	S_NO_END,
	S_END_INSIDE_NODE,
	S_NO_ROOT,
	S_PROP_PADDING_PAST_END,
};

static struct blob shape(enum shape s)
{
	struct bld b;
	static const uint8_t d5[5] = {1, 2, 3, 4, 5};

	b_init(&b);
	switch (s) {
	case S_UNTERMINATED_NAME:
		b_word(&b, GZ_FDT_BEGIN_NODE);
		memcpy(b.b + b.pos, "abcd", 4); /* the block ends before a NUL */
		b.pos += 4;
		return b_finish(&b);
	case S_BAD_TOKEN:
		b_begin(&b, "");
		b_word(&b, 7);
		break;
	case S_OVERLONG_PROP:
		b_begin(&b, "");
		b_word(&b, GZ_FDT_PROP);
		b_word(&b, 0x1000); /* longer than the rest of the block */
		b_word(&b, b_string(&b, "x"));
		break;
	case S_PROP_HEADER_CUT:
		b_begin(&b, "");
		b_word(&b, GZ_FDT_PROP);
		b_word(&b, 0);
		return b_finish(&b);
	case S_NAMEOFF_OUT_OF_RANGE:
		b_begin(&b, "");
		b_string(&b, "x");
		b_prop_raw(&b, 2, NULL, 0); /* strings block is "x\0": offset 2 is outside */
		break;
	case S_NAME_UNTERMINATED:
		b_begin(&b, "");
		b_prop_u32(&b, "x", 1);
		b_end_node(&b);
		b_word(&b, GZ_FDT_END);
		b.strl = 1; /* strings block "x" without its NUL */
		return b_finish(&b);
	case S_PROP_AFTER_SUBNODE:
		b_begin(&b, "");
		b_begin(&b, "c");
		b_end_node(&b);
		b_prop_u32(&b, "late", 1);
		break;
	case S_PROP_BEFORE_ROOT:
		b_prop_u32(&b, "x", 1);
		b_begin(&b, "");
		break;
	case S_END_NODE_AT_TOP:
		b_end_node(&b);
		b_begin(&b, "");
		break;
	case S_TWO_ROOTS:
		b_begin(&b, "");
		b_end_node(&b);
		b_begin(&b, "");
		break;
	case S_NO_END:
		b_begin(&b, "");
		b_end_node(&b);
		return b_finish(&b);
	case S_END_INSIDE_NODE:
		b_begin(&b, "");
		b_word(&b, GZ_FDT_END);
		return b_finish(&b);
	case S_NO_ROOT:
		b_word(&b, GZ_FDT_NOP);
		b_word(&b, GZ_FDT_END);
		return b_finish(&b);
	case S_PROP_PADDING_PAST_END:
		b_begin(&b, "");
		b_prop(&b, "p", d5, sizeof(d5));
		b.pos -= 3; /* the value ends the block; its padding does not fit */
		return b_finish(&b);
	}
	b_end_node(&b);
	b_word(&b, GZ_FDT_END);
	return b_finish(&b);
}

static void test_structure_corruptions(void **state)
{
	(void)state;
	static const struct {
		enum shape s;
		int want;
	} cases[] = {
	    {S_UNTERMINATED_NAME, GZ_FDT_E_BADSTRUCT},
	    {S_BAD_TOKEN, GZ_FDT_E_BADSTRUCT},
	    {S_OVERLONG_PROP, GZ_FDT_E_BADSTRUCT},
	    {S_PROP_HEADER_CUT, GZ_FDT_E_BADSTRUCT},
	    {S_NAMEOFF_OUT_OF_RANGE, GZ_FDT_E_BADSTRING},
	    {S_NAME_UNTERMINATED, GZ_FDT_E_BADSTRING},
	    {S_PROP_AFTER_SUBNODE, GZ_FDT_E_BADSTRUCT},
	    {S_PROP_BEFORE_ROOT, GZ_FDT_E_BADSTRUCT},
	    {S_END_NODE_AT_TOP, GZ_FDT_E_BADSTRUCT},
	    {S_TWO_ROOTS, GZ_FDT_E_BADSTRUCT},
	    {S_NO_END, GZ_FDT_E_BADSTRUCT},
	    {S_END_INSIDE_NODE, GZ_FDT_E_BADSTRUCT},
	    {S_NO_ROOT, GZ_FDT_E_BADSTRUCT},
	    {S_PROP_PADDING_PAST_END, GZ_FDT_E_BADSTRUCT},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("shape %u\n", (unsigned)cases[i].s);
		assert_int_equal(check_blob(shape(cases[i].s)), cases[i].want);
	}
}

/* ---- node offsets that did not come from the API ----------------------------------- */

/* A property whose value looks like a node start followed by garbage: passing its offset as
 * a node must still never read outside the blob, and errors must propagate. */
static void test_forged_node_offsets(void **state)
{
	(void)state;
	struct bld b;
	struct blob bl;
	struct gz_fdt fdt;
	struct gz_fdt_prop p;
	uint8_t fake[12];
	int root, forged, d = 0, cursor;
	uint64_t a, s;

	put_be32(fake, GZ_FDT_BEGIN_NODE);
	memcpy(fake + 4, "x\0\0\0", 4);
	put_be32(fake + 8, 7); /* bad token after the forged name */
	b_init(&b);
	b_begin(&b, "");
	b_prop(&b, "fake", fake, sizeof(fake));
	b_begin(&b, "kid");
	b_end_node(&b);
	b_end_node(&b);
	b_word(&b, GZ_FDT_END);
	bl = b_finish(&b);
	assert_int_equal(gz_fdt_check(&fdt, bl.p, bl.n), GZ_FDT_OK);
	root = gz_fdt_path(&fdt, "/");
	assert_int_equal(gz_fdt_getprop(&fdt, root, "fake", &p), GZ_FDT_OK);
	forged = (int)(p.data - (bl.p + fdt.off_struct));

	assert_string_equal(gz_fdt_node_name(&fdt, forged), "x");
	assert_int_equal(gz_fdt_next_node(&fdt, forged, &d), GZ_FDT_E_BADSTRUCT);
	assert_int_equal(gz_fdt_next_subnode(&fdt, forged, -1), GZ_FDT_E_BADSTRUCT);
	assert_int_equal(gz_fdt_getprop(&fdt, forged, "x", &p), GZ_FDT_E_BADSTRUCT);
	assert_int_equal(gz_fdt_parent(&fdt, forged), GZ_FDT_E_BADARG); /* not reachable */
	assert_int_equal(gz_fdt_reg(&fdt, forged, 0, &a, &s), GZ_FDT_E_BADARG);
	assert_int_equal(gz_fdt_subnode(&fdt, forged, "y"), GZ_FDT_E_BADSTRUCT);

	/* Offsets that are not nodes at all. */
	assert_null(gz_fdt_node_name(&fdt, -1));
	assert_null(gz_fdt_node_name(&fdt, root + 2));		   /* misaligned */
	assert_null(gz_fdt_node_name(&fdt, (int)fdt.size_struct)); /* past the block */
	assert_null(gz_fdt_node_name(&fdt, root + 8));		   /* a FDT_PROP token */
	assert_int_equal(gz_fdt_next_node(&fdt, root + 8, &d), GZ_FDT_E_BADARG);
	assert_int_equal(gz_fdt_parent(&fdt, root + 8), GZ_FDT_E_BADARG);
	cursor = 0;
	assert_int_equal(gz_fdt_next_prop(&fdt, root + 8, &cursor, &p), GZ_FDT_E_BADARG);
	cursor = -4;
	assert_int_equal(gz_fdt_next_prop(&fdt, root, &cursor, &p), GZ_FDT_E_BADARG);
	cursor = 2; /* a cursor that is not a token boundary */
	assert_int_equal(gz_fdt_next_prop(&fdt, root, &cursor, &p), GZ_FDT_E_BADSTRUCT);
	free(bl.p);
}

/* find_* and cpu_count propagate structural errors met on forged paths too: a /cpus whose
 * child reg is malformed, and a memory node with the wrong cell counts. */
static void test_query_errors(void **state)
{
	(void)state;
	struct bld b;
	struct blob bl;
	struct gz_fdt fdt;
	uint64_t a, s;
	static const uint8_t reg3[12] = {0};

	b_init(&b);
	b_begin(&b, "");
	b_prop_u32(&b, "#address-cells", 5);
	b_begin(&b, "memory");
	b_prop(&b, "device_type", "memory", 7);
	b_prop(&b, "reg", reg3, sizeof(reg3));
	b_end_node(&b);
	b_begin(&b, "cpus");
	b_begin(&b, "cpu@0");
	b_prop(&b, "device_type", "cpu", 4);
	b_end_node(&b);
	b_begin(&b, "other");
	b_end_node(&b);
	b_end_node(&b);
	b_end_node(&b);
	b_word(&b, GZ_FDT_END);
	bl = b_finish(&b);
	assert_int_equal(gz_fdt_check(&fdt, bl.p, bl.n), GZ_FDT_OK);
	assert_int_equal(gz_fdt_find_memory(&fdt, 0, &a, &s), GZ_FDT_E_BADCELLS);
	assert_int_equal(gz_fdt_size_cells(&fdt, gz_fdt_path(&fdt, "/")), 1);
	assert_int_equal(gz_fdt_cpu_count(&fdt), 1);
	free(bl.p);

	/* #size-cells bad while #address-cells is fine. */
	b_init(&b);
	b_begin(&b, "");
	b_prop_u32(&b, "#size-cells", 3);
	b_begin(&b, "dev");
	b_prop(&b, "reg", reg3, sizeof(reg3));
	b_end_node(&b);
	b_end_node(&b);
	b_word(&b, GZ_FDT_END);
	bl = b_finish(&b);
	assert_int_equal(gz_fdt_check(&fdt, bl.p, bl.n), GZ_FDT_OK);
	assert_int_equal(gz_fdt_reg(&fdt, gz_fdt_path(&fdt, "/dev"), 0, &a, &s), GZ_FDT_E_BADCELLS);
	free(bl.p);
}

static void test_rsv_bounds(void **state)
{
	(void)state;
	struct gz_fdt fdt;
	struct blob b = copy(dtb_a, sizeof(dtb_a));
	uint64_t a, s;

	fdt = checked(b);
	/* gz_fdt_rsv re-checks bounds even if the struct was altered after the check. */
	fdt.off_rsvmap = fdt.totalsize - 8;
	assert_int_equal(gz_fdt_rsv(&fdt, 0, &a, &s), GZ_FDT_E_BADLAYOUT);
	free(b.p);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = GZ_FDT_OK; e >= GZ_FDT_E_BADARG; e--) {
		assert_non_null(gz_fdt_strerror(e));
		assert_string_not_equal(gz_fdt_strerror(e), "unknown error");
	}
	assert_string_equal(gz_fdt_strerror(-100), "unknown error");
	assert_string_equal(gz_fdt_strerror(1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dtc_tree_walk),
	    cmocka_unit_test(test_dtc_subnodes_parent_path),
	    cmocka_unit_test(test_dtc_properties),
	    cmocka_unit_test(test_dtc_platform_queries),
	    cmocka_unit_test(test_dtc_bad_reg_and_cells),
	    cmocka_unit_test(test_dtc_default_cells),
	    cmocka_unit_test(test_read_cells),
	    cmocka_unit_test(test_stringlist),
	    cmocka_unit_test(test_truncated_everywhere),
	    cmocka_unit_test(test_totalsize),
	    cmocka_unit_test(test_header_corruptions),
	    cmocka_unit_test(test_built_valid_with_nops),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_structure_corruptions),
	    cmocka_unit_test(test_forged_node_offsets),
	    cmocka_unit_test(test_query_errors),
	    cmocka_unit_test(test_rsv_bounds),
	    cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
