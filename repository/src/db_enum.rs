//! [`db_enum!`](crate::db_enum): one definition of a status or kind column gives the Rust enum,
//! its stored strings, parsing, serde, `Into<sea_orm::Value>` and the list a CHECK constraint
//! must allow. Every status and kind column of every repository, legacy or enhanced, is
//! declared with it, so queries compare typed values and never string literals.

/// A stored string that names no value of the enum it was parsed into.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {type_name} {value:?}")]
pub struct UnknownValue {
    /// The enum, e.g. `"task status"`.
    pub type_name: &'static str,
    /// The string that was given.
    pub value: String,
}

/// Declares an enum stored as short strings.
///
/// ```
/// memdb_repository::db_enum! {
///     /// How loud a message is.
///     pub enum Loudness: "loudness" {
///         /// Barely heard.
///         Quiet => "quiet",
///         /// Heard across the room.
///         Loud => "loud",
///     }
/// }
/// assert_eq!(Loudness::Loud.as_str(), "loud");
/// assert_eq!("quiet".parse::<Loudness>(), Ok(Loudness::Quiet));
/// assert_eq!(Loudness::VALUES, ["quiet", "loud"]);
/// assert!("LOUD".parse::<Loudness>().is_err());
/// ```
///
/// The string after the enum's name names it in errors (`unknown loudness "LOUD"`).
/// `VALUES` is what the column's CHECK constraint must allow (a test per enum checks every
/// value against the migrated schema on each backend).
#[macro_export]
macro_rules! db_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $label:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $stored:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored form of every value, in declaration order: what the column's CHECK
            /// constraint allows.
            pub const VALUES: &'static [&'static str] = &[$($stored),+];

            /// The stored form.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $stored),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownValue;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $($stored => Ok(Self::$variant),)+
                    _ => Err($crate::UnknownValue {
                        type_name: $label,
                        value: s.to_owned(),
                    }),
                }
            }
        }

        impl ::std::convert::From<$name> for $crate::sea_orm::Value {
            fn from(value: $name) -> Self {
                value.as_str().into()
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                let stored =
                    <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(
                        deserializer,
                    )?;
                stored
                    .parse()
                    .map_err(<D::Error as $crate::__private::serde::de::Error>::custom)
            }
        }
    };
}

/// Parses a stored value of a [`db_enum!`](crate::db_enum) column.
///
/// # Errors
/// [`RepoError::Corrupt`](crate::RepoError::Corrupt) naming `what` when the value is not one of
/// the enum's.
pub fn stored<T>(what: &'static str, value: &str) -> crate::RepoResult<T>
where
    T: std::str::FromStr,
{
    value
        .parse()
        .map_err(|_| crate::RepoError::corrupt(what, value))
}
