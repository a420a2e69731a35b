//! The message source: `content/messages.yaml`, as authors write it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// BCP 47 language of the text, such as `en`.
    pub language: String,
    pub title: String,
    pub attribution: String,
    pub organisation: Organisation,
    pub definition: Definition,
    pub audiences: Vec<Audience>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub name: String,
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    pub heading: String,
    pub text: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Stable slug: ties outputs, translations and errors to this audience.
    pub id: String,
    /// Short name, shown on covers.
    pub name: String,
    pub heading: String,
    #[serde(default)]
    pub intro: Option<String>,
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub id: String,
    pub text: String,
}
