/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file reasons.h
 * The one list of per-packet outcomes. Every frame the core sees leaves with
 * exactly one reason; the daemon counts it. The list generates the enum, the
 * counter names and their help text (docs/counters.md repeats the help text
 * with the failure each one reveals).
 */
#ifndef DNSBUMP_REASONS_H
#define DNSBUMP_REASONS_H

/* X(ENUM, "name", "help") -- names are an interface: keep them stable. */
#define DNSB_REASON_LIST(X)                                                  \
	X(PASS_NON_IP, "pass_non_ip",                                        \
	  "frames that are not IPv4 or IPv6, forwarded bit-exact")           \
	X(PASS_L2_UNSUPPORTED, "pass_l2_unsupported",                        \
	  "frames with more than two VLAN tags, forwarded bit-exact")        \
	X(PASS_NON_DNS, "pass_non_dns",                                      \
	  "IP traffic not UDP/TCP to or from a DNS port, forwarded bit-exact") \
	X(PASS_FRAGMENT, "pass_fragment",                                    \
	  "IP fragments forwarded as they are")                              \
	X(FRAG_HELD, "frag_held",                                            \
	  "fragments of DNS datagrams kept for reassembly, not forwarded as " \
	  "they are (fragments policy reassemble or truncate)")              \
	X(FRAG_DROP_POLICY, "frag_drop_policy",                              \
	  "fragments of DNS datagrams dropped by the fragments policy drop") \
	X(FRAG_DROP_INVALID, "frag_drop_invalid",                            \
	  "fragments of held DNS datagrams dropped as duplicate, "           \
	  "overlapping, tiny, too big, too many or inconsistent (the frag_* " \
	  "counters say which)")                                             \
	X(FRAG_TC, "frag_tc",                                                \
	  "DNS answers (fragmented or whole) larger than the client-side MTU " \
	  "replaced by a TC=1 answer (fragments policy truncate)")           \
	X(PASS_DNS_TCP, "pass_dns_tcp",                                      \
	  "TCP segments to or from a DNS port, forwarded as they are")       \
	X(PASS_WRONG_DIRECTION, "pass_wrong_direction",                      \
	  "DNS queries heading to the client side or responses heading to "  \
	  "the server side, forwarded unmodified")                           \
	X(PASS_QUERY, "pass_query",                                          \
	  "DNS queries forwarded unmodified (no OPT, or size within bounds)") \
	X(PASS_RESPONSE, "pass_response",                                    \
	  "DNS responses within the size limit toward the client")           \
	X(PASS_RESPONSE_UNSIZED, "pass_response_unsized",                    \
	  "DNS responses forwarded with no known size limit (no path limit " \
	  "and the client's advertised size unknown)")                       \
	X(PASS_OVERSIZE, "pass_oversize",                                    \
	  "oversized DNS responses forwarded because the oversize policy "   \
	  "is pass")                                                         \
	X(EDNS_CLAMPED, "edns_clamped",                                      \
	  "queries whose advertised EDNS UDP size was lowered to the clamp") \
	X(EDNS_RAISED, "edns_raised",                                        \
	  "queries whose advertised EDNS UDP size was raised to the floor")  \
	X(TC_SYNTHESIZED, "tc_synthesized",                                  \
	  "oversized responses replaced by a TC=1 answer")                   \
	X(TCP_MSS_CLAMPED, "tcp_mss_clamped",                                \
	  "TCP/53 SYNs whose MSS option was lowered to the configured clamp") \
	X(DROP_OVERSIZE, "drop_oversize",                                    \
	  "oversized DNS responses dropped by the oversize policy")          \
	X(EMU_DROP_FRAGMENT, "emu_drop_fragment",                            \
	  "IP fragments dropped by the emulation of a fragment-dropping box") \
	X(EMU_DROP_LARGE, "emu_drop_large",                                  \
	  "UDP DNS answers (or their first fragment) dropped by the "        \
	  "emulation of a box that drops large UDP")                         \
	X(EMU_DROP_TCP53, "emu_drop_tcp53",                                  \
	  "TCP/53 segments dropped by the emulation of a TCP/53 filter")     \
	X(EMU_RESET_TCP53, "emu_reset_tcp53",                                \
	  "TCP/53 SYNs answered with a RST by the emulation")                \
	X(EMU_STRIP_OPT, "emu_strip_opt",                                    \
	  "messages whose OPT record the emulation removed")                 \
	X(EMU_CLEAR_DO, "emu_clear_do",                                      \
	  "queries whose DO bit the emulation cleared")                      \
	X(EMU_DROP_DO_ANSWER, "emu_drop_do_answer",                          \
	  "answers with the DO bit dropped by the emulation")                \
	X(BAD_L2, "bad_l2",                                                  \
	  "frames too short for their Ethernet/VLAN headers, forwarded")     \
	X(BAD_IP4_HEADER, "bad_ip4_header",                                  \
	  "IPv4 with bad IHL or total length, forwarded unmodified")         \
	X(BAD_IP4_CHECKSUM, "bad_ip4_checksum",                              \
	  "IPv4 with a wrong header checksum, forwarded unmodified")         \
	X(BAD_IP6_HEADER, "bad_ip6_header",                                  \
	  "IPv6 with a payload length past the frame or a jumbogram, "       \
	  "forwarded unmodified")                                            \
	X(BAD_IP6_EXT, "bad_ip6_ext",                                        \
	  "IPv6 extension header chain truncated or too long, forwarded "    \
	  "unmodified")                                                      \
	X(BAD_UDP_HEADER, "bad_udp_header",                                  \
	  "UDP header truncated or length inconsistent with IP, forwarded "  \
	  "unmodified")                                                      \
	X(BAD_TCP_HEADER, "bad_tcp_header",                                  \
	  "TCP header truncated or data offset invalid, forwarded "          \
	  "unmodified")                                                      \
	X(BAD_DNS_HEADER, "bad_dns_header",                                  \
	  "DNS payload shorter than the 12-byte header, forwarded "          \
	  "unmodified")                                                      \
	X(BAD_DNS_COUNTS, "bad_dns_counts",                                  \
	  "section counts impossible for the message size, forwarded "       \
	  "unmodified")                                                      \
	X(BAD_DNS_LABEL, "bad_dns_label",                                    \
	  "label type 0x40/0x80 (RFC 6891 s5), forwarded unmodified")        \
	X(BAD_DNS_NAME_LONG, "bad_dns_name_long",                            \
	  "name longer than 255 octets (RFC 1035 s3.1), forwarded "          \
	  "unmodified")                                                      \
	X(BAD_DNS_POINTER, "bad_dns_pointer",                                \
	  "compression pointer not strictly backwards, into the header, "    \
	  "into the OPT record, or taking a question name past the "         \
	  "questions (RFC 1035 s4.1.4), forwarded unmodified")               \
	X(BAD_DNS_POINTER_LOOP, "bad_dns_pointer_loop",                      \
	  "name needs more compression hops than the budget, forwarded "     \
	  "unmodified")                                                      \
	X(BAD_DNS_TRUNCATED, "bad_dns_truncated",                            \
	  "question or record runs past the end of the message, forwarded " \
	  "unmodified")                                                      \
	X(BAD_DNS_OPT_MULTIPLE, "bad_dns_opt_multiple",                      \
	  "more than one OPT record (RFC 6891 s6.1.1), forwarded "           \
	  "unmodified")                                                      \
	X(BAD_DNS_OPT_OWNER, "bad_dns_opt_owner",                            \
	  "OPT owner is not the root (RFC 6891 s6.1.2), forwarded "          \
	  "unmodified")                                                      \
	X(BAD_DNS_OPT_SECTION, "bad_dns_opt_section",                        \
	  "OPT outside the additional section (RFC 6891 s6.1.1), "           \
	  "forwarded unmodified")                                            \
	X(BAD_DNS_OPT_OPTIONS, "bad_dns_opt_options",                        \
	  "OPT option list does not fill RDLENGTH exactly (RFC 6891 "        \
	  "s6.1.2), forwarded unmodified")

/** Outcome of one frame. DNSB_R_OK is "no outcome yet" and is never counted. */
enum dnsb_reason {
	DNSB_R_OK = 0,
#define DNSB_X_ENUM(e, n, h) DNSB_R_##e,
	DNSB_REASON_LIST(DNSB_X_ENUM)
#undef DNSB_X_ENUM
	DNSB_R__END
};

/** Number of countable reasons (DNSB_R_OK excluded). */
#define DNSB_REASON_COUNT (DNSB_R__END - 1)

/** Stable counter name of @p r ("pass_query"); "?" when out of range. */
const char *dnsb_reason_name(enum dnsb_reason r);

/** One-line help text of @p r. */
const char *dnsb_reason_help(enum dnsb_reason r);

/** True when @p r means the frame was malformed (forwarded unmodified). */
static inline int dnsb_reason_is_malformed(enum dnsb_reason r)
{
	return r >= DNSB_R_BAD_L2 && r < DNSB_R__END;
}

#endif
