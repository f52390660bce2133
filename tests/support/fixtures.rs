//! The demo scenario's tokens the tests paste by value (made up; they work only against the
//! emulator), in one place.

/// Exactly the Git-Zen scopes.
pub const GIT_ZEN: &str =
    "AwfEoGD23EoP1arvJveEnjpxgYIJPxuWil8TUpMxYnCIZrCeNEzhJQQJ99BDYvSdNCpgG36sAAAAAZDOMmtb";
/// Git-Zen without Service Connections: Read & query.
pub const MISSING: &str =
    "bzjMHWpgbyA8KrAds5ASlkq8ItCASnJOSnqW1pdrHa8hq6iNE7obJQQJ99ZHWidSTtIfYaLpAAAAAZDO9b8A";
