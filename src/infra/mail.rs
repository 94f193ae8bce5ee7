//! Outgoing mail: `.eml` files under `DATA_DIR/outbox` by default, SMTP via
//! lettre when `SMTP_URL` is set. Every mail has an HTML and a plain-text part.

use std::path::PathBuf;

use anyhow::Context;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use secrecy::ExposeSecret;

use crate::config::Config;

/// A rendered mail, ready to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
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

fn build_message(from: &Mailbox, mail: &Mail) -> anyhow::Result<Message> {
    let to: Mailbox = mail.to.parse().with_context(|| format!("Invalid recipient address {:?}", mail.to))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
        .context("Failed to build the mail message")
}

/// Writes each mail as an RFC 5322 `.eml` file, for development without a mail server.
pub struct OutboxMailer {
    dir: PathBuf,
    from: Mailbox,
}

#[async_trait::async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let message = build_message(&self.from, &mail)?;
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
        let message = build_message(&self.from, &mail)?;
        self.transport.send(message).await.context("The SMTP server refused the mail")?;
        tracing::info!(to = %mail.to, subject = %mail.subject, "mail sent over SMTP");
        Ok(())
    }
}

/// Escapes text for an HTML mail body.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
