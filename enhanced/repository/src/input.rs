//! Checks of the inputs the file hash and git operation repositories share: file paths,
//! SHA-256 digests, git object ids and times given by the caller. Each returns a
//! [`RepoError::Validation`] naming the field, so nothing invalid reaches the database.

use chrono::{DateTime, Datelike, FixedOffset, SubsecRound, Utc};
use memdb_repository::{RepoError, RepoResult, validate};

use crate::limits;

/// A file path: not blank, without NUL, at most [`limits::FILE_PATH`] characters and
/// [`limits::FILE_PATH_BYTES`] bytes; kept exactly as given.
///
/// Unlike document paths, file paths are not brought to Unicode NFC: a file system tells paths
/// apart by their bytes, so `café` with a precomposed `é` and with a combining accent can be two
/// files, each with its own hashes.
pub(crate) fn file_path(field: &'static str, value: &str) -> RepoResult<String> {
    let value = validate::non_empty(field, value, limits::FILE_PATH)?;
    if value.len() > limits::FILE_PATH_BYTES {
        return Err(RepoError::invalid(
            field,
            format!(
                "is {} bytes long in UTF-8, the limit is {}",
                value.len(),
                limits::FILE_PATH_BYTES
            ),
        ));
    }
    Ok(value.to_owned())
}

/// A SHA-256 digest: 64 hexadecimal digits in either case, returned in lowercase (the one form
/// stored, so equal digests compare equal).
pub(crate) fn sha256(field: &'static str, value: &str) -> RepoResult<String> {
    hex_digits(
        field,
        value,
        &[memdb_repository::limits::SHA256_HEX],
        "a SHA-256",
    )
}

/// A git object id (a commit): 40 hexadecimal digits (SHA-1) or 64 (SHA-256 repositories) in
/// either case, returned in lowercase.
pub(crate) fn git_object_id(field: &'static str, value: &str) -> RepoResult<String> {
    hex_digits(
        field,
        value,
        &[40, limits::GIT_OBJECT_ID],
        "a git object id",
    )
}

fn hex_digits(
    field: &'static str,
    value: &str,
    lengths: &[usize],
    what: &str,
) -> RepoResult<String> {
    if lengths.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(value.to_ascii_lowercase());
    }
    let lengths: Vec<String> = lengths.iter().map(ToString::to_string).collect();
    Err(RepoError::invalid(
        field,
        format!(
            "must be {what}: {} hexadecimal digits, got {:?}",
            lengths.join(" or "),
            value.chars().take(80).collect::<String>()
        ),
    ))
}

/// A time given by the caller, cut to microseconds (what every backend stores), in the years 1
/// to 9999: PostgreSQL stores years up to 294276 and SQLite any text, but timestamps are
/// compared as text on SQLite, which orders them by time only in four-digit years.
pub(crate) fn time(field: &'static str, at: DateTime<Utc>) -> RepoResult<DateTime<FixedOffset>> {
    if !(1..=9999).contains(&at.year()) {
        return Err(RepoError::invalid(
            field,
            format!("must be in the years 1 to 9999, got {at}"),
        ));
    }
    Ok(at.trunc_subsecs(6).fixed_offset())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lowercased_and_sized() {
        let upper = "AB".repeat(32);
        assert_eq!(sha256("s", &upper).unwrap(), "ab".repeat(32));
        assert!(sha256("s", &"a".repeat(63)).is_err());
        assert!(sha256("s", &"g".repeat(64)).is_err());
        assert!(sha256("s", &format!("{}\0", "a".repeat(63))).is_err());
        assert!(git_object_id("c", &"F".repeat(40)).is_ok());
        assert!(git_object_id("c", &"f".repeat(64)).is_ok());
        assert!(git_object_id("c", &"f".repeat(41)).is_err());
        // Multi-byte characters are not hex digits, whatever their byte count.
        assert!(git_object_id("c", &"é".repeat(20)).is_err());
    }

    #[test]
    fn paths_are_bounded_in_characters_and_bytes() {
        assert!(file_path("p", &"a".repeat(limits::FILE_PATH)).is_ok());
        assert!(file_path("p", &"a".repeat(limits::FILE_PATH + 1)).is_err());
        assert!(file_path("p", &"€".repeat(limits::FILE_PATH_BYTES / 3)).is_ok());
        assert!(file_path("p", &"€".repeat(limits::FILE_PATH_BYTES / 3 + 1)).is_err());
        assert!(file_path("p", " ").is_err());
        assert!(file_path("p", "a\0b").is_err());
        assert_eq!(file_path("p", " spaced ").unwrap(), " spaced ");
    }

    #[test]
    fn times_keep_four_digit_years() {
        use chrono::TimeZone;
        let ok = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
        assert!(time("t", ok).is_ok());
        let late = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert!(time("t", late).is_err());
        let early = Utc.with_ymd_and_hms(0, 12, 31, 0, 0, 0).unwrap();
        assert!(time("t", early).is_err());
    }
}
