//! Outgoing mail: `.eml` files under `DATA_DIR/outbox` by default, SMTP via
//! lettre when `SMTP_URL` is set. Every mail has an HTML and a plain-text part.

use std::path::PathBuf;

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Body, Mailbox, MultiPart, SinglePart,
        header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue},
    },
};
use secrecy::ExposeSecret;

use crate::config::Config;

/// A rendered mail, ready to send. Serialisable: it is the payload of a `send_mail` job.
///
/// A link that grants something (a one-time token, a signed confirmation or
/// unsubscribe link) is never rendered into a queued mail: the mail holds a
/// [`link_placeholder`] and the sending job mints the link and fills it in
/// (see `jobs::MailLink`), so the queue never stores a usable token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Bulk mail only: the one-click unsubscribe URL, sent as `List-Unsubscribe`
    /// with `List-Unsubscribe-Post` (RFC 8058).
    #[serde(default)]
    pub unsubscribe_url: Option<String>,
    /// Set by the sending job (its id), so a retried delivery keeps its Message-ID.
    #[serde(default)]
    pub message_id: Option<String>,
}

/// What a mail carries in place of the `index`-th link its job mints when it sends.
pub fn link_placeholder(index: usize) -> String {
    format!("{{{{lectern-link-{index}}}}}")
}

impl Mail {
    /// Puts `url` where the mail holds `placeholder` (text, HTML and the List-Unsubscribe header).
    pub fn fill_link(&mut self, placeholder: &str, url: &str) {
        self.text = self.text.replace(placeholder, url);
        self.html = self.html.replace(&escape_html(placeholder), &escape_html(url));
        if let Some(unsubscribe) = &mut self.unsubscribe_url {
            *unsubscribe = unsubscribe.replace(placeholder, url);
        }
    }
}

#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: Mail) -> anyhow::Result<()>;
}

pub fn from_config(config: &Config) -> anyhow::Result<std::sync::Arc<dyn Mailer>> {
    let from: Mailbox =
        config.mail_from.parse().with_context(|| format!("MAIL_FROM={:?} is not a mailbox", config.mail_from))?;
    Ok(match &config.smtp_url {
        Some(url) => {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                .context("SMTP_URL is not a valid smtp:// or smtps:// URL")?
                .build();
            std::sync::Arc::new(SmtpMailer { transport, from })
        }
        None => std::sync::Arc::new(OutboxMailer { dir: config.data_dir.join("outbox"), from }),
    })
}

/// How a part's body is encoded: 8bit keeps links whole in the raw message
/// (the outbox's `.eml` files); over SMTP lettre picks its own (quoted-printable
/// for long lines), since not every server takes 8BITMIME.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    EightBit,
    Auto,
}

fn build_message(from: &Mailbox, mail: &Mail, encoding: Encoding) -> anyhow::Result<Message> {
    let to: Mailbox = mail.to.parse().with_context(|| format!("Invalid recipient address {:?}", mail.to))?;
    let mut builder = Message::builder().from(from.clone()).to(to).subject(&mail.subject);
    if let Some(id) = &mail.message_id {
        let domain = from.email.domain();
        builder = builder.message_id(Some(format!("<{id}@{domain}>")));
    }
    if let Some(url) = &mail.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let alternatives = MultiPart::alternative()
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(body(&wrap(&mail.text, 76), encoding)))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(body(&mail.html, encoding)));
    builder.multipart(alternatives).context("Failed to build the mail message")
}

/// `text` with its long lines broken at spaces to `width` columns; a word
/// longer than that (a link) keeps a line of its own, whole.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / width);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let mut column = 0;
        for (position, word) in line.split(' ').enumerate() {
            let length = word.chars().count();
            if position > 0 {
                if column > 0 && column + 1 + length > width {
                    out.push('\n');
                    column = 0;
                } else {
                    out.push(' ');
                    column += 1;
                }
            }
            out.push_str(word);
            column += length;
        }
    }
    out
}

/// A part's body, as 8bit (when asked) when every line fits the 998 octets RFC 5322 allows
/// (always, for what Lectern writes), so links stay whole and copyable in the
/// raw message; quoted-printable's soft breaks at 76 characters split them.
/// Anything else gets lettre's own choice.
fn body(text: &str, encoding: Encoding) -> Body {
    if encoding == Encoding::Auto {
        return Body::new(text.to_owned());
    }
    let crlf = text.replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\r\n");
    if crlf.split("\r\n").all(|line| line.len() <= 998) && !crlf.contains('\0') {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(text.to_owned())
    }
}

/// Writes each mail as an RFC 5322 `.eml` file, for development without a mail server.
pub struct OutboxMailer {
    dir: PathBuf,
    from: Mailbox,
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let message = build_message(&self.from, &mail, Encoding::EightBit)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .with_context(|| format!("Failed to create the outbox {}", self.dir.display()))?;
        let path = self.dir.join(format!("{}.eml", uuid::Uuid::now_v7()));
        tokio::fs::write(&path, message.formatted())
            .await
            .with_context(|| format!("Failed to write {}", path.display()))?;
        tracing::info!(to = %mail.to, subject = %mail.subject, path = %path.display(), "mail written to the outbox");
        Ok(())
    }
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

#[async_trait::async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let message = build_message(&self.from, &mail, Encoding::Auto)?;
        self.transport.send(message).await.context("The SMTP server refused the mail")?;
        tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent over SMTP");
        Ok(())
    }
}

/// The one mail layout: a greeting, paragraphs, an optional call to action and
/// list of links, and for bulk mail an unsubscribe footer. Renders the HTML and
/// the plain-text part from the same blocks, so they never disagree.
#[derive(Debug, Default)]
pub struct Template {
    blocks: Vec<Block>,
    footer: Vec<String>,
    unsubscribe_url: Option<String>,
}

#[derive(Debug)]
enum Block {
    Paragraph(String),
    /// Already sanitised HTML, with its plain-text rendering.
    Rich {
        html: String,
        text: String,
    },
    Action {
        label: String,
        url: String,
    },
    Links(Vec<Link>),
}

/// One entry of a list of links (a post in a digest).
#[derive(Debug, Clone)]
pub struct Link {
    pub title: String,
    pub url: String,
    pub note: String,
}

impl Template {
    pub fn new(greeting: impl Into<String>) -> Self {
        Template { blocks: vec![Block::Paragraph(greeting.into())], ..Default::default() }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// Sanitised HTML (rendered markdown) and the text shown in the plain-text part.
    pub fn rich(mut self, html: impl Into<String>, text: impl Into<String>) -> Self {
        self.blocks.push(Block::Rich { html: html.into(), text: text.into() });
        self
    }

    pub fn action(mut self, label: impl Into<String>, url: impl Into<String>) -> Self {
        self.blocks.push(Block::Action { label: label.into(), url: url.into() });
        self
    }

    pub fn links(mut self, links: Vec<Link>) -> Self {
        self.blocks.push(Block::Links(links));
        self
    }

    /// Small print under the signature.
    pub fn footer(mut self, text: impl Into<String>) -> Self {
        self.footer.push(text.into());
        self
    }

    /// Marks the mail as bulk: a visible unsubscribe link and the List-Unsubscribe headers.
    pub fn unsubscribe(mut self, url: impl Into<String>) -> Self {
        self.unsubscribe_url = Some(url.into());
        self
    }

    pub fn render(self, to: &str, subject: &str) -> Mail {
        let mut text = String::new();
        let mut html = String::from(
            "<!doctype html><html><body style=\"margin:0;padding:24px;background:#f6f6f4;\">\
             <div style=\"max-width:560px;margin:0 auto;background:#fff;padding:24px 28px;border-radius:8px;\
             font:16px/1.5 -apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d1d1b;\">",
        );
        for block in &self.blocks {
            match block {
                Block::Paragraph(p) => {
                    text.push_str(&format!("{p}\n\n"));
                    html.push_str(&format!("<p>{}</p>", escape_html(p)));
                }
                Block::Rich { html: rich, text: plain } => {
                    text.push_str(&format!("{plain}\n\n"));
                    html.push_str(rich);
                }
                Block::Action { label, url } => {
                    // The link on a line of its own: easy to copy, whole in every client.
                    text.push_str(&format!("{label}:\n{url}\n\n"));
                    html.push_str(&format!(
                        "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 18px;background:#3b5bdb;\
                         color:#fff;border-radius:6px;text-decoration:none;\">{}</a></p>",
                        escape_html(url),
                        escape_html(label)
                    ));
                }
                Block::Links(links) => {
                    html.push_str("<ul style=\"padding-left:20px;\">");
                    for link in links {
                        text.push_str(&format!("* {}\n  {}\n", link.title, link.url));
                        if !link.note.is_empty() {
                            text.push_str(&format!("  {}\n", link.note));
                        }
                        html.push_str(&format!(
                            "<li style=\"margin-bottom:12px;\"><a href=\"{}\">{}</a><br><span style=\"color:#555;\">{}</span></li>",
                            escape_html(&link.url),
                            escape_html(&link.title),
                            escape_html(&link.note)
                        ));
                    }
                    text.push('\n');
                    html.push_str("</ul>");
                }
            }
        }
        text.push_str("— Lectern\n");
        html.push_str("<p>— Lectern</p>");
        if !self.footer.is_empty() || self.unsubscribe_url.is_some() {
            text.push_str("\n--\n");
            html.push_str(
                "<hr style=\"border:none;border-top:1px solid #ddd;\"><p style=\"font-size:13px;color:#666;\">",
            );
            for line in &self.footer {
                text.push_str(&format!("{line}\n"));
                html.push_str(&format!("{}<br>", escape_html(line)));
            }
            if let Some(url) = &self.unsubscribe_url {
                text.push_str(&format!("Unsubscribe with one click: {url}\n"));
                html.push_str(&format!("<a href=\"{}\">Unsubscribe</a>", escape_html(url)));
            }
            html.push_str("</p>");
        }
        html.push_str("</div></body></html>");
        Mail {
            to: to.to_owned(),
            subject: subject.to_owned(),
            text,
            html,
            unsubscribe_url: self.unsubscribe_url,
            message_id: None,
        }
    }
}

/// Escapes text for an HTML mail body.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_and_links_stay_whole_on_their_own_line() {
        let link = format!("https://lectern.test/verify-email?token={}", "x".repeat(120));
        let text = format!("{} see:\n{link}\n\nshort", "word ".repeat(40).trim_end());
        let wrapped = wrap(&text, 76);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 76 || l == link), "{wrapped}");
        assert!(wrapped.lines().any(|l| l == link));
        assert_eq!(wrapped.replace('\n', " "), text.replace('\n', " "));
        let body = body(&wrapped, Encoding::EightBit);
        assert_eq!(body.encoding(), ContentTransferEncoding::EightBit);
        assert!(String::from_utf8(body.into_vec()).unwrap().contains(&link));
    }

    #[test]
    fn a_line_past_998_octets_falls_back_to_an_encoding_that_allows_it() {
        let body = body(&"y".repeat(1_200), Encoding::EightBit);
        assert_ne!(body.encoding(), ContentTransferEncoding::EightBit);
    }
}
