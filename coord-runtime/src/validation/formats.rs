//! The string formats of the `type` rule, checked without allocating.
//!
//! - email: the WHATWG HTML "valid e-mail address" rule (what browsers, `validator` and `garde`
//!   accept): `local@domain`, local from `A-Za-z0-9.!#$%&'*+/=?^_`{|}~-`, domain labels of
//!   letters, digits and inner hyphens, at most 63 characters each.
//! - url: an absolute URL `scheme://authority[path][?query][#fragment]` with an RFC 3986 scheme,
//!   a non-empty host (a name, a dotted-quad IPv4 address or a bracketed IPv6 address) and an
//!   optional port up to 65535 (see [`is_url`]).
//! - uuid: the hyphenated form, 8-4-4-4-12 hex digits, any case.
//! - datetime: RFC 3339 `date-time`, e.g. `2026-11-28T19:41:09.5+01:00`.

/// Byte classes for the e-mail and URL checks: one table load answers "may this byte be
/// here?" where a chain of comparisons would take several, and these checks run on every valid
/// call of a rule with `type: email` or `type: url`.
mod class {
    /// In the local part of an e-mail address.
    pub(super) const LOCAL: u8 = 1;
    /// In a domain label: letter, digit or '-'.
    pub(super) const LABEL: u8 = 1 << 1;
    /// After a scheme's first letter: letter, digit, '+', '-' or '.'.
    pub(super) const SCHEME: u8 = 1 << 2;
    /// A letter.
    pub(super) const ALPHA: u8 = 1 << 3;
    /// Whitespace or a control character in ASCII (up to ' ', and DEL).
    pub(super) const DIRTY: u8 = 1 << 4;
    /// Part of a non-ASCII character.
    pub(super) const NON_ASCII: u8 = 1 << 5;
    /// Ends or splits an authority: '/', '?', '#', '@', ':'.
    pub(super) const AUTHORITY_MARK: u8 = 1 << 6;
    /// May not appear in a URL's host name: WHATWG's forbidden domain code points.
    pub(super) const FORBIDDEN_IN_HOST: u8 = 1 << 7;

    /// The class bits of every byte.
    pub(super) static OF: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0usize;
        while b < 256 {
            let byte = b as u8;
            let mut bits = 0;
            let alnum = byte.is_ascii_alphanumeric();
            if alnum
                || matches!(
                    byte,
                    b'.' | b'!'
                        | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'/'
                        | b'='
                        | b'?'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'{'
                        | b'|'
                        | b'}'
                        | b'~'
                        | b'-'
                )
            {
                bits |= LOCAL;
            }
            if alnum || byte == b'-' {
                bits |= LABEL;
            }
            if alnum || matches!(byte, b'+' | b'-' | b'.') {
                bits |= SCHEME;
            }
            if byte.is_ascii_alphabetic() {
                bits |= ALPHA;
            }
            if byte <= b' ' || byte == 0x7f {
                bits |= DIRTY;
            }
            if byte >= 0x80 {
                bits |= NON_ASCII;
            }
            if matches!(byte, b'/' | b'?' | b'#' | b'@' | b':') {
                bits |= AUTHORITY_MARK;
            }
            if byte <= b' '
                || byte == 0x7f
                || matches!(
                    byte,
                    b'/' | b'?'
                        | b'#'
                        | b'@'
                        | b':'
                        | b'<'
                        | b'>'
                        | b'^'
                        | b'|'
                        | b'\\'
                        | b'['
                        | b']'
                        | b'%'
                )
            {
                bits |= FORBIDDEN_IN_HOST;
            }
            table[b] = bits;
            b += 1;
        }
        table
    };
}

/// WHATWG HTML valid e-mail address.
pub(crate) fn is_email(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() && bytes[i] != b'@' {
        if class::OF[usize::from(bytes[i])] & class::LOCAL == 0 {
            return false;
        }
        i += 1;
    }
    if i == 0 || i + 1 >= bytes.len() {
        return false; // empty local part, no '@', or empty domain
    }
    // The domain, label by label, in one pass.
    let mut label_start = i + 1;
    for (j, &b) in bytes.iter().enumerate().skip(i + 1) {
        if b == b'.' {
            if !is_domain_label(&bytes[label_start..j]) {
                return false;
            }
            label_start = j + 1;
        } else if class::OF[usize::from(b)] & class::LABEL == 0 {
            return false;
        }
    }
    is_domain_label(&bytes[label_start..])
}

/// A label of letters, digits and inner hyphens, 1 to 63 long (its bytes' classes are
/// checked by the caller).
fn is_domain_label(label: &[u8]) -> bool {
    match (label.first(), label.last()) {
        (Some(&first), Some(&last)) => label.len() <= 63 && first != b'-' && last != b'-',
        _ => false,
    }
}

/// Absolute URL with an authority: `scheme "://" [userinfo "@"] host [":" port] [path]
/// ["?" query] ["#" fragment]` (RFC 3986's shape, WHATWG's host and port rules):
///
/// - the scheme is RFC 3986's (a letter, then letters, digits, `+`, `-`, `.`), any scheme;
/// - the host is not empty: a bracketed IPv6 address (`[::1]`), or a name without WHATWG's
///   forbidden host code points (`<>^|\[]%`, the authority marks, whitespace, controls); a
///   name whose last label is a number must be a dotted-quad IPv4 address (`127.0.0.1`, not
///   `127.1`, `0x7f.1` or `010.0.0.1`, which WHATWG reads as other addresses);
/// - the port is empty (the scheme's default) or a number up to 65535;
/// - no whitespace or control character anywhere, and no `\` in the authority.
///
/// Everything else WHATWG would percent-encode or normalise (non-ASCII paths, `..`) is
/// accepted as written; hosts are not run through IDNA. `tests/url_differential.rs` checks
/// this against the `url` crate and lists each deliberate difference.
pub(crate) fn is_url(value: &str) -> bool {
    let bytes = value.as_bytes();
    // The scheme: a letter, then scheme characters up to the first ':', which must start "://".
    if bytes
        .first()
        .is_none_or(|&b| class::OF[usize::from(b)] & class::ALPHA == 0)
    {
        return false;
    }
    let mut i = 1;
    while i < bytes.len() && class::OF[usize::from(bytes[i])] & class::SCHEME != 0 {
        i += 1;
    }
    if !bytes[i..].starts_with(b"://") {
        return false;
    }
    let rest = &bytes[i + 3..];
    // One pass over the authority finds its end, the host's start (after the last '@'), the
    // first ':' after it and whether the host has a byte no host may have, and collects every
    // byte's class for the cleanliness check. Ordinary bytes cost a load, an OR and a test.
    let mut seen = 0u8;
    let mut authority_end = rest.len();
    let mut host_start = 0;
    let mut colon = None;
    let mut host_forbidden = false;
    for (j, &b) in rest.iter().enumerate() {
        let bits = class::OF[usize::from(b)];
        seen |= bits;
        if bits & class::FORBIDDEN_IN_HOST != 0 {
            match b {
                b'@' => {
                    host_start = j + 1;
                    colon = None;
                    host_forbidden = false;
                }
                b':' => {
                    colon.get_or_insert(j);
                }
                b'/' | b'?' | b'#' => {
                    authority_end = j;
                    break;
                }
                b'\\' => return false,
                _ => host_forbidden |= colon.is_none(),
            }
        }
    }
    for &b in &rest[authority_end..] {
        seen |= class::OF[usize::from(b)];
    }
    // Non-ASCII (rare) is clean unless one of its characters is whitespace or a control.
    let clean = seen & class::DIRTY == 0
        && (seen & class::NON_ASCII == 0
            || !value.chars().any(|c| c.is_whitespace() || c.is_control()));
    if !clean {
        return false;
    }
    let host_port = &rest[host_start..authority_end];
    if host_port.first() == Some(&b'[') {
        return is_ipv6_host_and_port(host_port);
    }
    let (host, port) = match colon {
        Some(at) => (&rest[host_start..at], Some(&rest[at + 1..authority_end])),
        None => (host_port, None),
    };
    !host_forbidden && is_host_name(host) && port.is_none_or(is_port)
}

/// `"[" IPv6 "]" [":" port]`, the part of an authority after any userinfo.
fn is_ipv6_host_and_port(host_port: &[u8]) -> bool {
    let Some(inside) = host_port.strip_prefix(b"[") else {
        return false;
    };
    let Some(close) = inside.iter().position(|&b| b == b']') else {
        return false;
    };
    let port = match &inside[close + 1..] {
        [] => None,
        [b':', port @ ..] => Some(port),
        _ => return false,
    };
    let address = std::str::from_utf8(&inside[..close]).ok();
    address.is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok()) && port.is_none_or(is_port)
}

/// A registered name or a dotted-quad IPv4 address, its bytes' classes already checked.
fn is_host_name(host: &[u8]) -> bool {
    // WHATWG reads a name whose last label (before one trailing dot) is a number as an IPv4
    // address in any of several notations; only the unambiguous one is accepted. A name
    // ending in a letter past `f` other than `x` (most do) cannot end in a number (`0x` is
    // one: zero): no label is looked at.
    let name = host.strip_suffix(b".").unwrap_or(host);
    let Some(&last_byte) = name.last() else {
        return !host.is_empty();
    };
    if !last_byte.is_ascii_hexdigit() && !matches!(last_byte, b'x' | b'X') {
        return true;
    }
    let last = name.rsplit(|&b| b == b'.').next().unwrap_or(name);
    let numeric = (!last.is_empty() && last.iter().all(u8::is_ascii_digit))
        || last
            .strip_prefix(b"0x")
            .or_else(|| last.strip_prefix(b"0X"))
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
    !numeric || std::str::from_utf8(name).is_ok_and(|n| n.parse::<std::net::Ipv4Addr>().is_ok())
}

/// Empty (the scheme's default), or a number up to 65535 with any leading zeros.
fn is_port(port: &[u8]) -> bool {
    let mut value = 0u32;
    for &b in port {
        if !b.is_ascii_digit() {
            return false;
        }
        value = value * 10 + u32::from(b - b'0');
        if value > u32::from(u16::MAX) {
            return false;
        }
    }
    true
}

/// Hyphenated UUID.
pub(crate) fn is_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// RFC 3339 date-time. A leap second (`:60`) is accepted only where RFC 3339 allows one: at
/// 23:59 UTC on the last day of a month, once the offset is applied (`2016-12-31T23:59:60Z`,
/// `2017-01-01T01:29:60+01:30`).
pub(crate) fn is_datetime(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| -> u32 {
        b[range].iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'))
    };
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let fraction = rest[1..].iter().take_while(|d| d.is_ascii_digit()).count();
        if fraction == 0 {
            return false;
        }
        rest = &rest[1 + fraction..];
    }
    // The offset east of UTC, in minutes.
    let offset: i32 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) =>
        {
            let (hours, minutes) = (
                (h1 - b'0') * 10 + (h2 - b'0'),
                (m1 - b'0') * 10 + (m2 - b'0'),
            );
            if hours > 23 || minutes > 59 {
                return false;
            }
            let magnitude = i32::from(hours) * 60 + i32::from(minutes);
            if *sign == b'-' { -magnitude } else { magnitude }
        }
        _ => return false,
    };
    if second == 60 {
        // Local time minus the offset is UTC. Leap seconds are inserted at the end of a month
        // (RFC 3339 §5.7): only 23:59 UTC on a month's last day can have a 60th second.
        #[allow(clippy::cast_possible_wrap)] // hour and minute are at most 23 and 59
        let utc = hour as i32 * 60 + minute as i32 - offset;
        let last_minute = utc.rem_euclid(24 * 60) == 23 * 60 + 59;
        // The UTC date is the local one moved by a day at most.
        let last_day = match utc.div_euclid(24 * 60) {
            0 => day == days,
            1 => day + 1 == days,
            _ => day == 1,
        };
        return last_minute && last_day;
    }
    true
}

/// The instant an RFC 3339 date-time names, as (seconds since 1970-01-01T00:00:00Z,
/// nanoseconds), for `compare` rules; `None` unless [`is_datetime`] accepts it. A leap second
/// counts as the first second of the next minute; digits past nanoseconds are ignored.
pub(crate) fn datetime_instant(value: &str) -> Option<(i64, u32)> {
    if !is_datetime(value) {
        return None;
    }
    let b = value.as_bytes();
    let number = |range: std::ops::Range<usize>| -> i64 {
        b[range].iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Days from the civil date (Howard Hinnant's algorithm), proleptic Gregorian.
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let mut seconds = days * 86_400 + number(11..13) * 3_600 + number(14..16) * 60 + number(17..19);
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|d| d.is_ascii_digit()).count();
        for (place, digit) in rest[1..=digits].iter().take(9).enumerate() {
            nanos += u32::from(digit - b'0') * 10u32.pow(8 - u32::try_from(place).unwrap_or(8));
        }
        rest = &rest[1 + digits..];
    }
    if let [sign, h1, h2, b':', m1, m2] = rest {
        let offset = i64::from((h1 - b'0') * 10 + (h2 - b'0')) * 3_600
            + i64::from((m1 - b'0') * 10 + (m2 - b'0')) * 60;
        seconds += if *sign == b'-' { offset } else { -offset };
    }
    Some((seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in [
            "a@b.c",
            "first.last+tag@example.co.uk",
            "x@localhost",
            "o'neil@x-y.io",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "", "a", "@b.c", "a@", "a@-b.c", "a@b-.c", "a@b..c", "a b@c.d", "a@b@c", "ä@b.c",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        let label = |len| "b".repeat(len);
        assert!(is_email(&format!("a@{}.c", label(63))));
        assert!(!is_email(&format!("a@{}.c", label(64))));
        assert!(!is_email("a@b."), "a trailing dot leaves an empty label");
    }

    #[test]
    fn urls() {
        for good in [
            "https://example.com",
            "http://a.b:8080/x?y=1#z",
            "ftp://user@host/",
            "https://[::1]:443/",
            // Issue 19: IPv6 without a port, an empty port, the largest port.
            "https://[::1]/x",
            "http://[2001:db8::7]",
            "http://a.b:/",
            "http://a.b:65535/",
            "http://127.0.0.1:8080/",
            "http://127.0.0.1./",
        ] {
            assert!(is_url(good), "{good}");
        }
        for bad in [
            "example.com",
            "https://",
            "http:/x",
            "1http://x",
            "https://a b.c",
            "http://x:port",
            "mailto:a@b.c",
            // Issue 19: a port past 65535, addresses WHATWG would reinterpret, bad brackets.
            "http://a.b:99999/",
            "http://a.b:65536/",
            "http://127.1/",
            "http://0x7f.0.0.1/",
            "http://999.1.1.1/",
            "http://[::1/",
            "http://[::1]x/",
            "http://[zz::1]/",
            "http://a<b/",
            "http://a%41.com/",
            "http://a\\b/",
            "http://0x/",
            "http://a.0X./",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn instants() {
        assert_eq!(datetime_instant("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            datetime_instant("1970-01-01T01:00:00.5+01:00"),
            Some((0, 500_000_000))
        );
        assert_eq!(
            datetime_instant("2000-03-01T00:00:00Z"),
            Some((951_868_800, 0))
        );
        assert_eq!(datetime_instant("1969-12-31T23:59:59-00:00"), Some((-1, 0)));
        assert_eq!(
            datetime_instant("2026-12-06T14:00:00.1234567891Z").map(|(_, n)| n),
            Some(123_456_789)
        );
        assert_eq!(datetime_instant("2026-12-06"), None);
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("123e4567-e89b-12d3-A456-426614174000"));
        for bad in [
            "123e4567e89b12d3a456426614174000",
            "123e4567-e89b-12d3-a456-42661417400g",
            "",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }

    #[test]
    fn datetimes() {
        for good in [
            "2026-11-28T19:41:09Z",
            "2024-02-29T00:00:00.123+05:30",
            "2026-01-31t23:59:60z",
            "2017-01-01T01:29:60+01:30",
            "2016-06-30T23:59:60Z",
            "2016-12-31T23:59:60Z",
            "2017-01-01T00:59:60+01:00",
            "2016-12-31T18:59:60-05:00",
            "2026-01-01 12:00:00-01:00",
        ] {
            assert!(is_datetime(good), "{good}");
        }
        for bad in [
            "2026-11-28",
            "2026-11-28T19:41:09",
            "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T19:41:09.Z",
            "2026-11-28T19:41:09+5:00",
            // A leap second anywhere but 23:59 UTC (issue 19).
            "2026-11-28T12:30:60Z",
            "2016-12-31T23:59:60+01:00",
            "2016-12-31T23:58:60Z",
            "2026-01-01T23:59:60Z",
            "2016-12-30T23:59:60Z",
            "2016-12-31T23:59:60-01:00",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }
}
