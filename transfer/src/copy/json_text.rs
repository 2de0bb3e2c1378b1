//! The canonical form of JSON text, exact: object keys sorted (the last of duplicate keys
//! kept, as PostgreSQL's `jsonb` does), no whitespace, strings re-escaped one way, and numbers
//! as exact decimals — sign, significant digits, exponent — so `1.50`, `1.5`, `15e-1` and
//! PostgreSQL's printing of them are one text, and no number is rounded through a float
//! (`104.08228246668247`, `123456789012345678901234567890` stay what they are).

use std::collections::BTreeMap;

use super::canonical;

/// `text`'s canonical form; `None` when it is not JSON.
pub(crate) fn canonical(text: &str) -> Option<String> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        at: 0,
    };
    let mut out = String::with_capacity(text.len());
    parser.value(&mut out)?;
    parser.space();
    (parser.at == parser.bytes.len()).then_some(out)
}

/// A cursor over the text.
struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn word(&mut self, word: &str, out: &mut String) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word.as_bytes()).then(|| {
            self.at = end;
            out.push_str(word);
        })
    }

    fn value(&mut self, out: &mut String) -> Option<()> {
        match self.peek()? {
            b'{' => self.object(out),
            b'[' => self.array(out),
            b'"' => {
                let s = self.string()?;
                out.push_str(&canonical::string(&s));
                Some(())
            }
            b't' => self.word("true", out),
            b'f' => self.word("false", out),
            b'n' => self.word("null", out),
            _ => self.number(out),
        }
    }

    fn object(&mut self, out: &mut String) -> Option<()> {
        self.eat(b'{')?;
        let mut entries = BTreeMap::new();
        if self.peek()? != b'}' {
            loop {
                self.space();
                let key = self.string()?;
                self.eat(b':')?;
                let mut value = String::new();
                self.value(&mut value)?;
                entries.insert(key, value);
                if self.peek()? == b',' {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }
        self.eat(b'}')?;
        out.push('{');
        for (i, (key, value)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&canonical::string(key));
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
        Some(())
    }

    fn array(&mut self, out: &mut String) -> Option<()> {
        self.eat(b'[')?;
        out.push('[');
        if self.peek()? != b']' {
            loop {
                self.value(out)?;
                if self.peek()? == b',' {
                    self.at += 1;
                    out.push(',');
                } else {
                    break;
                }
            }
        }
        self.eat(b']')?;
        out.push(']');
        Some(())
    }

    /// A string literal, unescaped (surrogate pairs joined; a lone surrogate is not JSON
    /// memdb can store).
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut s = String::new();
        loop {
            let rest = std::str::from_utf8(&self.bytes[self.at..]).ok()?;
            let c = rest.chars().next()?;
            self.at += c.len_utf8();
            match c {
                '"' => return Some(s),
                '\\' => {
                    let e = *self.bytes.get(self.at)?;
                    self.at += 1;
                    s.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return None,
                    });
                }
                c if u32::from(c) < 0x20 => return None,
                c => s.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.bytes.get(self.at..self.at + 4)?).ok()?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }

    fn unicode(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first) {
            if self.bytes.get(self.at..self.at + 2)? != b"\\u" {
                return None;
            }
            self.at += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return None;
            }
            return char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00));
        }
        char::from_u32(first)
    }

    /// A number as `[-]digits[eEXP]`: significant digits without leading or trailing zeros,
    /// the exponent what is left (zero is `0`, whatever its sign or spelling).
    fn number(&mut self, out: &mut String) -> Option<()> {
        let negative = self.bytes.get(self.at) == Some(&b'-');
        if negative {
            self.at += 1;
        }
        let mut digits = String::new();
        let mut exponent: i64 = 0;
        let start = self.at;
        self.digits(&mut digits);
        if self.at == start {
            return None;
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            let before = digits.len();
            self.digits(&mut digits);
            let fraction = i64::try_from(digits.len() - before).ok()?;
            if fraction == 0 {
                return None;
            }
            exponent -= fraction;
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            let sign = match self.bytes.get(self.at) {
                Some(b'-') => {
                    self.at += 1;
                    -1
                }
                Some(b'+') => {
                    self.at += 1;
                    1
                }
                _ => 1,
            };
            let mut written = String::new();
            self.digits(&mut written);
            let value: i64 = written.parse().ok()?;
            exponent = exponent.checked_add(sign * value)?;
        }
        let significant = digits.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        if trimmed.is_empty() {
            out.push('0');
            return Some(());
        }
        exponent = exponent.checked_add(i64::try_from(significant.len() - trimmed.len()).ok()?)?;
        if negative {
            out.push('-');
        }
        out.push_str(trimmed);
        if exponent != 0 {
            out.push('e');
            out.push_str(&exponent.to_string());
        }
        Some(())
    }

    fn digits(&mut self, into: &mut String) {
        while let Some(&b) = self.bytes.get(self.at).filter(|b| b.is_ascii_digit()) {
            into.push(char::from(b));
            self.at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn numbers_are_exact_decimals_whatever_their_spelling() {
        for same in [
            ["1.50", "1.5", "15e-1"],
            ["100", "1e2", "1.00E+2"],
            ["0", "-0.0", "0e5"],
        ] {
            let first = canonical(same[0]);
            assert!(first.is_some());
            for other in &same[1..] {
                assert_eq!(canonical(other), first, "{other}");
            }
        }
        assert_eq!(
            canonical("104.08228246668247").as_deref(),
            Some("10408228246668247e-14")
        );
        assert_ne!(
            canonical("104.08228246668247"),
            canonical("104.08228246668249")
        );
        let big = "123456789012345678901234567890";
        assert_eq!(
            canonical(big).as_deref(),
            Some("12345678901234567890123456789e1")
        );
        assert_eq!(
            canonical("1e300"),
            canonical(&format!("1{}", "0".repeat(300)))
        );
    }

    #[test]
    fn objects_sort_keys_keep_the_last_duplicate_and_strings_are_reescaped() {
        assert_eq!(
            canonical(" { \"b\" : [1, \"\\u00e9\\n\"], \"a\": 1, \"a\": 2 } ").as_deref(),
            Some("{\"a\":2,\"b\":[1,\"é\\n\"]}")
        );
        assert_eq!(canonical("\"\\ud83d\\ude00\"").as_deref(), Some("\"😀\""));
        for bad in ["", "{", "[1,]", "01x", "\"\\ud83d\"", "1.", "nul", "{} x"] {
            assert_eq!(canonical(bad), None, "{bad}");
        }
    }
}
