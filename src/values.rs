//! Values that parse: once a value of one of these types exists, it is valid.
//! Resolvers parse at the edge and name the input field in the error.

use std::str::FromStr;

use crate::error::{AppError, AppResult};

/// A normalised (trimmed, lower-cased) email address with a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let candidate = raw.trim().to_lowercase();
        let invalid = || AppError::bad_input(field, "This is not a valid email address");
        if candidate.is_empty() || candidate.len() > 254 {
            return Err(invalid());
        }
        let parsed = email_address::EmailAddress::from_str(&candidate).map_err(|_| invalid())?;
        let domain = parsed.domain();
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.starts_with('[') {
            return Err(invalid());
        }
        Ok(Email(candidate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name shown to other readers: 1–80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::bad_input(field, "The display name cannot be empty"));
        }
        if name.chars().count() > 80 {
            return Err(AppError::bad_input(field, "The display name can have at most 80 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::bad_input(field, "The display name cannot contain control characters"));
        }
        Ok(DisplayName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("email", "  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in
            ["", "ada", "ada@", "@example.com", "ada@localhost", "ada@@example.com", "a b@example.com", "ada@example."]
        {
            let err = Email::parse("email", bad).unwrap_err();
            assert!(matches!(err, AppError::BadUserInput { field: "email", .. }), "{bad:?}");
        }
        assert!(Email::parse("email", &format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("displayName", "  Ada ").unwrap().into_inner(), "Ada");
        assert!(DisplayName::parse("displayName", "   ").is_err());
        assert!(DisplayName::parse("displayName", &"x".repeat(81)).is_err());
        assert!(DisplayName::parse("displayName", "bell\u{7}").is_err());
    }
}
