//! GraphQL surface of notifications: the viewer's own list, unread count,
//! read marks and dismissal, and the live `notifications` subscription.
//! Everything here needs a signed-in viewer.

use async_graphql::{Context, Enum, ID, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream::BoxStream};

use super::service;
use crate::graphql::{
    ContextExt, Require,
    pagination::{Connection, connection, page_args},
    parse_id,
};
use entity::notification;

/// What a notification is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "NotificationKind", remote = "entity::notification::Kind")]
pub enum GqlNotificationKind {
    /// Someone replied to one of the viewer's comments.
    CommentReply,
    /// Someone commented on a post the viewer wrote (or replied in its thread).
    CommentOnPost,
    /// A post was published in a series the viewer is reading.
    NewPostInSeries,
    /// The viewer earned a badge.
    BadgeEarned,
    /// The viewer reached a new level.
    LevelUp,
    /// Something happened to a payment or subscription of the viewer.
    Payment,
    /// A message from the platform.
    System,
    /// The viewer was issued a certificate for finishing a series (the link leads to its page).
    CertificateIssued,
    /// The viewer's review cards are due (the daily reminder they turned on).
    ReviewReminder,
}

/// Something that happened which concerns the viewer.
pub struct Notification(notification::Model);

#[Object]
impl Notification {
    /// Identifies the notification for `markNotificationsRead` and `dismissNotification`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What the notification is about.
    async fn kind(&self) -> GqlNotificationKind {
        self.0.kind.into()
    }

    /// A one-line summary.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The details.
    async fn message(&self) -> &str {
        &self.0.message
    }

    /// Where in the web app it leads (a path such as `/posts/ownership`); null if nowhere.
    async fn link(&self) -> Option<&str> {
        self.0.link.as_deref()
    }

    /// Whether the viewer has read it.
    async fn read(&self) -> bool {
        self.0.read_at.is_some()
    }

    /// When the viewer marked it read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }

    /// When it happened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct NotificationsQuery;

#[Object]
impl NotificationsQuery {
    /// The viewer's notifications, newest first.
    #[graphql(
        guard = "Require::SignedIn",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
        #[graphql(desc = "Only notifications the viewer has not read yet.", default_with = "Some(false)")] unread_only: Option<
            bool,
        >,
    ) -> Result<Connection<Notification>> {
        let user_id = ctx.viewer().require_signed_in()?;
        let args = page_args(ctx, first, after, last, before);
        let page = service::list(&ctx.state().db, user_id, unread_only.unwrap_or(false), &args).await?;
        Ok(connection(page, Notification))
    }

    /// How many of the viewer's notifications are unread.
    #[graphql(guard = "Require::SignedIn")]
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let user_id = ctx.viewer().require_signed_in()?;
        Ok(service::unread_count(&ctx.state().db, user_id).await?)
    }
}

#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    /// Marks some of the viewer's notifications read and returns how many were unread.
    /// NOT_FOUND (and nothing changes) if any id is not one of the viewer's notifications.
    #[graphql(guard = "Require::SignedIn")]
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The notifications to mark read; at most 100.")] ids: Vec<ID>,
    ) -> Result<u64> {
        let user_id = ctx.viewer().require_signed_in()?;
        let ids = ids.iter().map(|id| parse_id("ids", id)).collect::<Result<Vec<_>, _>>()?;
        Ok(service::mark_read(&ctx.state().db, user_id, &ids).await?)
    }

    /// Marks every notification of the viewer read and returns how many were unread.
    #[graphql(guard = "Require::SignedIn")]
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> Result<u64> {
        let user_id = ctx.viewer().require_signed_in()?;
        Ok(service::mark_all_read(&ctx.state().db, user_id).await?)
    }

    /// Deletes one of the viewer's notifications. True once it is gone;
    /// NOT_FOUND if it is not one of the viewer's notifications.
    #[graphql(guard = "Require::SignedIn")]
    async fn dismiss_notification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The notification to delete.")] id: ID,
    ) -> Result<bool> {
        let user_id = ctx.viewer().require_signed_in()?;
        let id = parse_id("id", &id)?;
        service::dismiss(&ctx.state().db, user_id, id).await?;
        Ok(true)
    }
}

#[derive(Default)]
pub struct NotificationsSubscription;

#[Subscription]
impl NotificationsSubscription {
    /// The viewer's new notifications as they are raised, on whichever instance
    /// raised them. Anonymous connections are refused (the websocket closes with 4403).
    #[graphql(guard = "Require::SignedIn")]
    async fn notifications(&self, ctx: &Context<'_>) -> Result<BoxStream<'static, Notification>> {
        let user_id = ctx.viewer().require_signed_in()?;
        Ok(ctx
            .state()
            .bus
            .subscribe(&service::topic(user_id))
            .filter_map(|payload| async move { serde_json::from_value(payload).ok().map(Notification) })
            .boxed())
    }
}
