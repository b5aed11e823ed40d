//! The string formats of the `type` rule, checked without allocating.
//!
//! - email: the WHATWG HTML "valid e-mail address" rule (what browsers, `validator` and `garde`
//!   accept): `local@domain`, local from `A-Za-z0-9.!#$%&'*+/=?^_`{|}~-`, domain labels of
//!   letters, digits and inner hyphens, at most 63 characters each.
//! - url: an absolute URL `scheme://authority[path][?query][#fragment]` with an RFC 3986 scheme,
//!   a non-empty host without spaces, and an optional numeric port.
//! - uuid: the hyphenated form, 8-4-4-4-12 hex digits, any case.
//! - datetime: RFC 3339 `date-time`, e.g. `2026-11-28T19:41:09.5+01:00`.

/// WHATWG HTML valid e-mail address.
pub fn is_email(value: &str) -> bool {
    let bytes = value.as_bytes();
    let Some(at) = bytes.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&bytes[..at], &bytes[at + 1..]);
    let local_ok = !local.is_empty()
        && local.iter().all(|&b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
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
        });
    local_ok && !domain.is_empty() && domain.split(|&b| b == b'.').all(is_domain_label)
}

fn is_domain_label(label: &[u8]) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && label[0] != b'-'
        && label[label.len() - 1] != b'-'
}

/// Absolute URL with an authority.
pub fn is_url(value: &str) -> bool {
    let bytes = value.as_bytes();
    // Scheme characters exclude ':', so the first ':' must start "://".
    let Some(colon) = bytes.iter().position(|&b| b == b':') else {
        return false;
    };
    let scheme = &bytes[..colon];
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok || !bytes[colon..].starts_with(b"://") {
        return false;
    }
    let rest = &bytes[colon + 3..];
    // One pass over the authority finds its end, the host's start (after the last '@') and
    // the last ':' after that: this runs on every valid call, so no byte is read twice.
    let mut authority_end = rest.len();
    let mut host_start = 0;
    let mut last_colon = None;
    for (i, &b) in rest.iter().enumerate() {
        match b {
            b'/' | b'?' | b'#' => {
                authority_end = i;
                break;
            }
            b'@' => {
                host_start = i + 1;
                last_colon = None;
            }
            b':' => last_colon = Some(i - host_start),
            _ => {}
        }
    }
    let host_port = &rest[host_start..authority_end];
    let (host, port) = match last_colon {
        Some(at) if !host_port[..at].ends_with(b"]") || host_port.starts_with(b"[") => {
            (&host_port[..at], Some(&host_port[at + 1..]))
        }
        _ => (host_port, None),
    };
    let port_ok = port.is_none_or(|port| {
        !port.is_empty() && port.len() <= 5 && port.iter().all(u8::is_ascii_digit)
    });
    // ASCII (nearly always): whitespace and controls are the bytes up to space, and DEL; one
    // pass over the bytes answers both "ASCII?" and "clean?".
    let mut ascii_dirty = false;
    let mut non_ascii = false;
    for &b in bytes {
        ascii_dirty |= b <= b' ' || b == 0x7f;
        non_ascii |= b >= 0x80;
    }
    let clean =
        !ascii_dirty && (!non_ascii || !value.chars().any(|c| c.is_whitespace() || c.is_control()));
    !host.is_empty() && port_ok && clean
}

/// Hyphenated UUID.
pub fn is_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// RFC 3339 date-time.
pub fn is_datetime(value: &str) -> bool {
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
    if day == 0 || day > days || number(11..13) > 23 || number(14..16) > 59 || number(17..19) > 60 {
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
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    }
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
    }

    #[test]
    fn urls() {
        for good in [
            "https://example.com",
            "http://a.b:8080/x?y=1#z",
            "ftp://user@host/",
            "https://[::1]:443/",
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
        ] {
            assert!(!is_url(bad), "{bad}");
        }
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
            "2026-01-01t23:59:60z",
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
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }
}
