#ifndef SIPFLEET_COMMON_SCENARIO_DIALECT_H_
#define SIPFLEET_COMMON_SCENARIO_DIALECT_H_

// SIPp 3.6's scenario dialect. SIPp reads scenarios with its own small
// parser, not an XML parser, and users write for it: backslash escapes in
// attribute values, raw '&', attributes without a value, a missing
// </scenario>, text anywhere. docs/conformance.md ("The scenario dialect")
// lists every difference from XML and what sipfleet does with it.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sipfleet::scenario {

// Rewrites a scenario file as SIPp reads it into strict XML that an XML
// parser (pugixml with entity decoding, without attribute whitespace
// conversion, read as raw bytes) reads to the values SIPp reads:
// - attribute values are decoded as SIPp does (backslash escapes, then, for
//   the attributes SIPp unescapes, DecodeSippEntities; the others keep their
//   '&' text), then re-escaped;
// - text outside CDATA, comments, the XML declaration, DOCTYPE and
//   processing instructions become blanks; CR bytes are dropped; the file
//   ends at its first NUL byte;
// - a missing </scenario> at the end of the file is added.
// Every line keeps its number: the result has a newline wherever the input
// has one, so parser offsets map to the input's lines. Errors read
// "file_name:line: XML syntax error: ..." (InvalidArgument).
absl::StatusOr<std::string> RewriteSippDialect(std::string_view text, std::string_view file_name);

// SIPp's entity decoding (xp_unescape), applied to the attributes listed in
// docs/conformance.md: "&name;" where name is a prefix of amp, gt, lt or quot
// (checked in that order, so "&a;" and "&;" are '&'); anything else,
// numeric references and &apos; included, is kept as written.
std::string DecodeSippEntities(std::string_view value);

}  // namespace sipfleet::scenario

#endif  // SIPFLEET_COMMON_SCENARIO_DIALECT_H_
