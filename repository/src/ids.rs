//! Typed ids. Every id is a UUIDv7 made in Rust: time-ordered, so inserts stay append-only in
//! indexes, and globally unique, so rows from several databases merge without remapping.

/// Declares a typed id: a UUIDv7 newtype with serde (as the bare UUID), `Display`, `FromStr` and
/// conversions from and to `Uuid`. Every id of every repository, legacy or enhanced, is declared
/// with it.
///
/// ```
/// memdb_repository::id_type!(
///     /// Id of a widget.
///     WidgetId
/// );
/// let id = WidgetId::new();
/// assert_eq!(id.to_string().parse::<WidgetId>().unwrap(), id);
/// ```
#[macro_export]
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
        )]
        pub struct $name(pub $crate::__private::uuid::Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            #[must_use]
            pub fn new() -> Self {
                Self($crate::__private::uuid::Uuid::now_v7())
            }

            /// The UUID inside.
            #[must_use]
            pub fn as_uuid(&self) -> $crate::__private::uuid::Uuid {
                self.0
            }
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::convert::From<$crate::__private::uuid::Uuid> for $name {
            fn from(id: $crate::__private::uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl ::std::convert::From<$name> for $crate::__private::uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        /// Serialized as the bare UUID.
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: $crate::__private::serde::Serializer,
            {
                $crate::__private::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: $crate::__private::serde::Deserializer<'de>,
            {
                <$crate::__private::uuid::Uuid as $crate::__private::serde::Deserialize>::deserialize(
                    deserializer,
                )
                .map(Self)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::__private::uuid::Error;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                $crate::__private::uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

crate::id_type!(
    /// Id of an organization.
    OrganizationId
);
crate::id_type!(
    /// Id of a document.
    DocumentId
);
crate::id_type!(
    /// Id of a knowledge item.
    KnowledgeId
);
crate::id_type!(
    /// Id of a task.
    TaskId
);
crate::id_type!(
    /// Id of a persona.
    PersonaId
);
