/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query AdminBillingOverview {\n    paymentsEnabled\n    billingOverview {\n      activeSubscribers\n      pastDue\n      cancelling\n      complimentary\n      mrr {\n        amount\n        currency\n      }\n    }\n  }\n": typeof types.AdminBillingOverviewDocument,
    "\n  query AdminSubscriptions($filter: SubscriptionFilter, $first: Int!, $after: String) {\n    subscriptions(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...BillingSubscriptionFields\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": typeof types.AdminSubscriptionsDocument,
    "\n  query AdminRecentPayments($first: Int!) {\n    payments(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          status\n          invoiceUrl\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n    }\n  }\n": typeof types.AdminRecentPaymentsDocument,
    "\n  query AdminFindUsers($search: String!) {\n    users(search: $search, first: 8) {\n      edges {\n        node {\n          id\n          displayName\n          email\n          subscription {\n            id\n            source\n            planName\n            status\n            entitled\n          }\n        }\n      }\n    }\n  }\n": typeof types.AdminFindUsersDocument,
    "\n  mutation GrantComplimentaryPlan($input: GrantComplimentaryPlanInput!) {\n    grantComplimentaryPlan(input: $input) {\n      ...BillingSubscriptionFields\n      user {\n        id\n        hasPremiumAccess\n        subscription {\n          id\n        }\n      }\n    }\n  }\n": typeof types.GrantComplimentaryPlanDocument,
    "\n  mutation RevokeComplimentaryPlan($userId: ID!) {\n    revokeComplimentaryPlan(userId: $userId) {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n": typeof types.RevokeComplimentaryPlanDocument,
    "\n  query AdminPosts($filter: PostFilterInput!, $first: Int!, $after: String) {\n    posts(filter: $filter, first: $first, after: $after, orderBy: RECENTLY_UPDATED) {\n      edges {\n        node {\n          id\n          slug\n          title\n          status\n          publishedAt\n          updatedAt\n          isPremium\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": typeof types.AdminPostsDocument,
    "\n  fragment EditablePost on Post {\n    id\n    slug\n    title\n    excerpt\n    body\n    difficulty\n    isPremium\n    coverImageUrl\n    status\n    publishedAt\n    updatedAt\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      title\n    }\n  }\n": typeof types.EditablePostFragmentDoc,
    "\n  query EditorChoices {\n    me {\n      id\n      role\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    seriesList(first: 100) {\n      nodes {\n        id\n        title\n        author {\n          id\n        }\n      }\n    }\n  }\n": typeof types.EditorChoicesDocument,
    "\n  mutation CreateTag($name: String!) {\n    createTag(name: $name) {\n      id\n      slug\n      name\n    }\n  }\n": typeof types.CreateTagDocument,
    "\n  mutation AddPostToSeries($seriesId: ID!, $postId: ID!) {\n    addPostToSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n": typeof types.AddPostToSeriesDocument,
    "\n  mutation RemovePostFromSeries($seriesId: ID!, $postId: ID!) {\n    removePostFromSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n": typeof types.RemovePostFromSeriesDocument,
    "\n  query EditPost($slug: String!) {\n    post(slug: $slug) {\n      ...EditablePost\n    }\n  }\n": typeof types.EditPostDocument,
    "\n  query PreviewMarkdown($markdown: String!) {\n    previewMarkdown(markdown: $markdown)\n  }\n": typeof types.PreviewMarkdownDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...EditablePost\n    }\n  }\n": typeof types.CreatePostDocument,
    "\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      ...EditablePost\n    }\n  }\n": typeof types.UpdatePostDocument,
    "\n  mutation PublishPost($id: ID!) {\n    publishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n": typeof types.PublishPostDocument,
    "\n  mutation UnpublishPost($id: ID!) {\n    unpublishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n": typeof types.UnpublishPostDocument,
    "\n  mutation SchedulePost($id: ID!, $at: DateTime!) {\n    schedulePost(id: $id, at: $at) {\n      ...EditablePost\n    }\n  }\n": typeof types.SchedulePostDocument,
    "\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n": typeof types.DeletePostDocument,
    "\n  query ReviewPrompts($postId: ID!) {\n    reviewPrompts(postId: $postId)\n  }\n": typeof types.ReviewPromptsDocument,
    "\n  mutation SetReviewPrompts($postId: ID!, $prompts: [String!]!) {\n    setReviewPrompts(postId: $postId, prompts: $prompts)\n  }\n": typeof types.SetReviewPromptsDocument,
    "\n  subscription AskAi($question: String!, $postSlug: String) {\n    askAi(question: $question, postSlug: $postSlug) {\n      __typename\n      ... on AskAiSources {\n        sources {\n          index\n          heading\n          score\n          post {\n            id\n            slug\n            title\n          }\n          passage {\n            id\n            text\n          }\n        }\n      }\n      ... on AskAiDelta {\n        text\n      }\n      ... on AskAiDone {\n        finishReason\n        characters\n        tokens\n        retrievalMs\n        firstDeltaMs\n        totalMs\n      }\n      ... on AskAiError {\n        code\n        message\n      }\n    }\n  }\n": typeof types.AskAiDocument,
    "\n  fragment BillingSubscriptionFields on Subscription {\n    id\n    source\n    planId\n    planName\n    status\n    price {\n      amount\n      currency\n    }\n    interval\n    currentPeriodEnd\n    cancelAtPeriodEnd\n    canceledAt\n    pastDueSince\n    graceEndsAt\n    entitled\n    updatedAt\n  }\n": typeof types.BillingSubscriptionFieldsFragmentDoc,
    "\n  subscription BillingLive {\n    billingChanged {\n      ...BillingSubscriptionFields\n    }\n  }\n": typeof types.BillingLiveDocument,
    "\n  fragment CertificateListFields on Certificate {\n    id\n    code\n    seriesTitle\n    issuedAt\n    revoked\n    revokedAt\n    revokedReason\n    status\n    valid\n    verificationUrl\n    series {\n      id\n      slug\n    }\n  }\n": typeof types.CertificateListFieldsFragmentDoc,
    "\n  query MyCertificates($first: Int!, $after: String) {\n    myCertificates(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...CertificateListFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.MyCertificatesDocument,
    "\n  fragment CommentFields on Comment {\n    id\n    postId\n    parentId\n    depth\n    body\n    bodyHtml\n    status\n    createdAt\n    editedAt\n    author {\n      id\n      displayName\n    }\n  }\n": typeof types.CommentFieldsFragmentDoc,
    "\n  query PostThread($slug: String!, $first: Int!, $after: String) {\n    post(slug: $slug) {\n      id\n      commentCount\n      thread(first: $first, after: $after) {\n        nodes {\n          ...CommentFields\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.PostThreadDocument,
    "\n  subscription CommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n": typeof types.CommentAddedDocument,
    "\n  mutation AddComment($postId: ID!, $parentId: ID, $body: String!) {\n    addComment(postId: $postId, parentId: $parentId, body: $body) {\n      ...CommentFields\n    }\n  }\n": typeof types.AddCommentDocument,
    "\n  mutation EditComment($id: ID!, $body: String!) {\n    editComment(id: $id, body: $body) {\n      ...CommentFields\n    }\n  }\n": typeof types.EditCommentDocument,
    "\n  mutation ModerateComment($id: ID!, $status: CommentStatus!) {\n    moderateComment(id: $id, status: $status) {\n      ...CommentFields\n    }\n  }\n": typeof types.ModerateCommentDocument,
    "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n": typeof types.DeleteCommentDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    message\n    link\n    read\n    createdAt\n  }\n": typeof types.NotificationFieldsFragmentDoc,
    "\n  query NotificationBell {\n    unreadNotificationCount\n    notifications(first: 8) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n    }\n  }\n": typeof types.NotificationBellDocument,
    "\n  subscription NotificationsLive {\n    notifications {\n      ...NotificationFields\n    }\n  }\n": typeof types.NotificationsLiveDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": typeof types.MarkAllNotificationsReadDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  fragment PostCardFields on Post {\n    id\n    slug\n    title\n    excerpt\n    isPremium\n    isLocked\n    readingMinutes\n    difficulty\n    publishedAt\n    commentCount\n    coverImageUrl\n    author {\n      id\n      displayName\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      slug\n      title\n    }\n    viewerProgress {\n      completedAt\n    }\n  }\n": typeof types.PostCardFieldsFragmentDoc,
    "\n  fragment PostListFields on PostConnection {\n    edges {\n      node {\n        ...PostCardFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n": typeof types.PostListFieldsFragmentDoc,
    "\n  query ReviewDueCount {\n    reviewQueue(first: 1) {\n      totalCount\n    }\n  }\n": typeof types.ReviewDueCountDocument,
    "\n  fragment PostReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    post {\n      id\n    }\n  }\n": typeof types.PostReviewCardFieldsFragmentDoc,
    "\n  mutation AddPostToReview($postId: ID!) {\n    addToReview(postId: $postId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n": typeof types.AddPostToReviewDocument,
    "\n  mutation RemoveFromReview($cardId: ID!) {\n    removeFromReview(cardId: $cardId)\n  }\n": typeof types.RemoveFromReviewDocument,
    "\n  fragment StudyNoteFields on StudyNote {\n    id\n    body\n    bodyHtml\n    quote\n    createdAt\n    updatedAt\n    post {\n      id\n      slug\n      title\n    }\n  }\n": typeof types.StudyNoteFieldsFragmentDoc,
    "\n  query PostNotes($slug: String!) {\n    post(slug: $slug) {\n      id\n      viewerNotes {\n        ...StudyNoteFields\n      }\n    }\n  }\n": typeof types.PostNotesDocument,
    "\n  mutation CreateStudyNote($input: CreateStudyNoteInput!) {\n    createStudyNote(input: $input) {\n      ...StudyNoteFields\n      post {\n        id\n        viewerNotes {\n          ...StudyNoteFields\n        }\n      }\n    }\n  }\n": typeof types.CreateStudyNoteDocument,
    "\n  mutation UpdateStudyNote($id: ID!, $input: UpdateStudyNoteInput!) {\n    updateStudyNote(id: $id, input: $input) {\n      ...StudyNoteFields\n    }\n  }\n": typeof types.UpdateStudyNoteDocument,
    "\n  mutation DeleteStudyNote($id: ID!) {\n    deleteStudyNote(id: $id)\n  }\n": typeof types.DeleteStudyNoteDocument,
    "\n  query Me {\n    me {\n      id\n      displayName\n      email\n      role\n      emailVerified\n      hasPremiumAccess\n      digestFrequency\n      bio\n      timeZone\n      profilePrivate\n      level\n      xp\n      streak {\n        current\n        longest\n        freezes\n      }\n    }\n  }\n": typeof types.MeDocument,
    "\n  query BillingStatus {\n    me {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n": typeof types.BillingStatusDocument,
    "\n  query PremiumPosts {\n    posts(filter: { premium: true }, first: 5) {\n      edges {\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n": typeof types.PremiumPostsDocument,
    "\n  query MyBilling($first: Int!, $after: String) {\n    paymentsEnabled\n    me {\n      id\n      subscription {\n        ...BillingSubscriptionFields\n      }\n      payments(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            price {\n              amount\n              currency\n            }\n            status\n            invoiceUrl\n            periodStart\n            periodEnd\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MyBillingDocument,
    "\n  mutation OpenBillingPortal($returnPath: String) {\n    openBillingPortal(returnPath: $returnPath) {\n      url\n    }\n  }\n": typeof types.OpenBillingPortalDocument,
    "\n  mutation CancelSubscription {\n    cancelSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n": typeof types.CancelSubscriptionDocument,
    "\n  mutation ResumeSubscription {\n    resumeSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n": typeof types.ResumeSubscriptionDocument,
    "\n  query Bookmarks($first: Int!, $after: String) {\n    bookmarks(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n": typeof types.BookmarksDocument,
    "\n  query CertificatePage($code: String!) {\n    certificate(code: $code) {\n      status\n      valid\n      revoked\n      revokedAt\n      code\n      recipientName\n      seriesTitle\n      issuedAt\n      series {\n        id\n        slug\n        title\n      }\n    }\n    certificateSigningKey {\n      algorithm\n      keyId\n    }\n  }\n": typeof types.CertificatePageDocument,
    "\n  query Feed($first: Int!, $after: String) {\n    posts(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n": typeof types.FeedDocument,
    "\n  query SeriesList {\n    seriesList(first: 20) {\n      edges {\n        node {\n          id\n          slug\n          title\n          postCount\n          viewerProgress {\n            percent\n          }\n        }\n      }\n    }\n  }\n": typeof types.SeriesListDocument,
    "\n  fragment LeaderboardEntryFields on LeaderboardEntry {\n    rank\n    xp\n    user {\n      id\n      displayName\n    }\n  }\n": typeof types.LeaderboardEntryFieldsFragmentDoc,
    "\n  query Leaderboard($period: LeaderboardPeriod!, $first: Int!, $after: String) {\n    leaderboard(period: $period, first: $first, after: $after) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n      edges {\n        node {\n          ...LeaderboardEntryFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.LeaderboardDocument,
    "\n  query LeaderboardViewerPlace($period: LeaderboardPeriod!) {\n    leaderboard(period: $period, first: 1) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n    }\n  }\n": typeof types.LeaderboardViewerPlaceDocument,
    "\n  subscription LeaderboardLive($period: LeaderboardPeriod!) {\n    leaderboardChanged(period: $period) {\n      ...LeaderboardEntryFields\n    }\n  }\n": typeof types.LeaderboardLiveDocument,
    "\n  query LearningDashboard($days: Int!) {\n    learningStats(days: $days) {\n      timeZone\n      postsFinished\n      seriesFinished\n      totalMinutes\n      currentStreak\n      longestStreak\n      days {\n        day\n        minutes\n        active\n        frozen\n      }\n      weeks {\n        weekStart\n        minutes\n      }\n      topics {\n        tag {\n          id\n          slug\n          name\n        }\n        minutes\n      }\n    }\n    reviewStats {\n      reviewCount\n      matureReviewCount\n      retention\n      dueNow\n      dueToday\n      nextDue\n      days {\n        date\n        reviews\n        again\n      }\n      cardsByState {\n        new\n        learning\n        review\n        relearning\n        total\n      }\n    }\n  }\n": typeof types.LearningDashboardDocument,
    "\n  query ReadingHistory($first: Int!, $after: String) {\n    readingHistory(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          secondsSpent\n          completedAt\n          lastReadAt\n          post {\n            id\n            slug\n            title\n            readingMinutes\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ReadingHistoryDocument,
    "\n  mutation ConfirmNewsletter($token: String!) {\n    confirmNewsletter(token: $token) {\n      email\n      status\n    }\n  }\n": typeof types.ConfirmNewsletterDocument,
    "\n  query StudyNotesPage($search: String, $first: Int!, $after: String) {\n    studyNotes(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...StudyNoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.StudyNotesPageDocument,
    "\n  query StudyNotesMarkdown {\n    studyNotesMarkdown\n  }\n": typeof types.StudyNotesMarkdownDocument,
    "\n  query NotificationsPage($first: Int!, $after: String, $unreadOnly: Boolean) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.NotificationsPageDocument,
    "\n  mutation DismissNotification($id: ID!) {\n    dismissNotification(id: $id)\n  }\n": typeof types.DismissNotificationDocument,
    "\n  query PostPage($slug: String!) {\n    post(slug: $slug) {\n      ...PostCardFields\n      bodyHtml\n      requiredPlan\n      status\n      viewCount\n      seriesPosition\n      series {\n        id\n        slug\n        title\n        postCount\n      }\n      previousInSeries {\n        id\n        slug\n        title\n      }\n      nextInSeries {\n        id\n        slug\n        title\n      }\n      viewerHasBookmarked\n      viewerNotes {\n        id\n      }\n      viewerReviewCard {\n        ...PostReviewCardFields\n      }\n      viewerProgress {\n        secondsSpent\n        completedAt\n      }\n      secondsForXp\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n": typeof types.PostPageDocument,
    "\n  mutation RecordPostView($postId: ID!) {\n    recordPostView(postId: $postId)\n  }\n": typeof types.RecordPostViewDocument,
    "\n  mutation BookmarkPost($postId: ID!) {\n    bookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n": typeof types.BookmarkPostDocument,
    "\n  mutation UnbookmarkPost($postId: ID!) {\n    unbookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n": typeof types.UnbookmarkPostDocument,
    "\n  mutation React($postId: ID!, $kind: ReactionKind!) {\n    react(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n": typeof types.ReactDocument,
    "\n  mutation Unreact($postId: ID!, $kind: ReactionKind!) {\n    unreact(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n": typeof types.UnreactDocument,
    "\n  mutation MarkPostRead($postId: ID!, $secondsSpent: Int!) {\n    markPostRead(postId: $postId, secondsSpent: $secondsSpent) {\n      secondsSpent\n      completedAt\n      post {\n        id\n        viewerProgress {\n          secondsSpent\n          completedAt\n        }\n        series {\n          id\n          viewerProgress {\n            ...SeriesProgressFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.MarkPostReadDocument,
    "\n  query Pricing {\n    paymentsEnabled\n    plans {\n      id\n      name\n      price {\n        amount\n        currency\n      }\n      interval\n    }\n    me {\n      id\n      emailVerified\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n": typeof types.PricingDocument,
    "\n  mutation StartCheckout($input: StartCheckoutInput!) {\n    startCheckout(input: $input) {\n      id\n      url\n      planId\n      expiresAt\n    }\n  }\n": typeof types.StartCheckoutDocument,
    "\n  query ProfilePage($id: ID!, $first: Int!, $after: String) {\n    user(id: $id) {\n      id\n      displayName\n      bio\n      role\n      createdAt\n      profilePrivate\n      level\n      xp\n      levelProgress {\n        level\n        xpIntoLevel\n        xpForLevel\n        percent\n      }\n      streak {\n        current\n        longest\n        freezes\n      }\n      badges {\n        earnedAt\n        badge {\n          id\n          slug\n          name\n          description\n          icon\n        }\n      }\n      recentActivity(first: 10) {\n        source\n        amount\n        createdAt\n        link\n      }\n    }\n    posts(first: $first, after: $after, filter: { authorId: $id }) {\n      ...PostListFields\n    }\n  }\n": typeof types.ProfilePageDocument,
    "\n  query AuthorSeries {\n    seriesList(first: 100) {\n      nodes {\n        id\n        slug\n        title\n        description\n        postCount\n        author {\n          id\n        }\n      }\n    }\n  }\n": typeof types.AuthorSeriesDocument,
    "\n  query BadgeCatalogue {\n    badges {\n      id\n      slug\n      name\n      description\n      icon\n      xp\n    }\n  }\n": typeof types.BadgeCatalogueDocument,
    "\n  fragment ReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    reps\n    keyPoints\n    keyPointsSource\n    post {\n      id\n      slug\n      title\n      excerpt\n    }\n  }\n": typeof types.ReviewCardFieldsFragmentDoc,
    "\n  query ReviewSession($first: Int!) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        ...ReviewCardFields\n      }\n    }\n    reviewStats {\n      dueNow\n      dueToday\n      nextDue\n      cardsByState {\n        total\n      }\n    }\n    reviewSettings {\n      reminders\n      reminderHour\n    }\n  }\n": typeof types.ReviewSessionDocument,
    "\n  mutation GradeReviewCard($cardId: ID!, $grade: ReviewGrade!) {\n    reviewCard(cardId: $cardId, grade: $grade) {\n      nextDue\n      early\n      xpAwarded\n      card {\n        id\n        state\n        due\n        reps\n        isDue\n      }\n    }\n  }\n": typeof types.GradeReviewCardDocument,
    "\n  mutation SetReviewReminders($enabled: Boolean!) {\n    setReviewReminders(enabled: $enabled) {\n      reminders\n      reminderHour\n    }\n  }\n": typeof types.SetReviewRemindersDocument,
    "\n  query Search($query: String!, $mode: SearchMode!, $first: Int) {\n    search(query: $query, mode: $mode, first: $first) {\n      mode\n      semanticUnavailable\n      suggestedMode\n      hits {\n      score\n      snippet\n      post {\n        id\n        slug\n        title\n        isPremium\n        readingMinutes\n        series {\n          id\n          title\n        }\n      }\n      passage {\n        id\n        headingPath\n      }\n      }\n    }\n  }\n": typeof types.SearchDocument,
    "\n  fragment SeriesProgressFields on SeriesProgress {\n    completedCount\n    totalCount\n    percent\n    completedAt\n    nextPost {\n      id\n      slug\n      title\n    }\n  }\n": typeof types.SeriesProgressFieldsFragmentDoc,
    "\n  query SeriesPage($slug: String!) {\n    series(slug: $slug) {\n      id\n      slug\n      title\n      description\n      postCount\n      author {\n        id\n        displayName\n      }\n      posts {\n        id\n        slug\n        title\n        excerpt\n        readingMinutes\n        isPremium\n        isLocked\n        viewerProgress {\n          completedAt\n        }\n        viewerReviewCard {\n          id\n        }\n      }\n      viewerProgress {\n        ...SeriesProgressFields\n      }\n    }\n  }\n": typeof types.SeriesPageDocument,
    "\n  mutation AddSeriesToReview($seriesId: ID!) {\n    addToReview(seriesId: $seriesId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n": typeof types.AddSeriesToReviewDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      bio\n      timeZone\n      profilePrivate\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  query Referrals($first: Int!, $after: String) {\n    me {\n      id\n      emailVerified\n      referralCode\n      referral {\n        canApplyCode\n        applyCodeUntil\n        status\n        reason\n        referredBy {\n          id\n          displayName\n        }\n      }\n    }\n    referrals(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          reason\n          createdAt\n          settledAt\n          user {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ReferralsDocument,
    "\n  mutation ApplyReferralCode($code: String!) {\n    applyReferralCode(code: $code) {\n      id\n      status\n      reason\n    }\n  }\n": typeof types.ApplyReferralCodeDocument,
    "\n  mutation SetDigestFrequency($frequency: DigestFrequency!) {\n    setDigestFrequency(frequency: $frequency) {\n      id\n      digestFrequency\n    }\n  }\n": typeof types.SetDigestFrequencyDocument,
    "\n  mutation ChangePassword($current: String!, $new: String!) {\n    changePassword(current: $current, new: $new)\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation SubscribeNewsletter($email: String!) {\n    subscribeNewsletter(email: $email)\n  }\n": typeof types.SubscribeNewsletterDocument,
    "\n  query TagPage($slug: String!, $first: Int!, $after: String) {\n    tag(slug: $slug) {\n      id\n      name\n      slug\n      posts(first: $first, after: $after) {\n        ...PostListFields\n      }\n    }\n  }\n": typeof types.TagPageDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      emailVerified\n    }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": typeof types.RequestEmailVerificationDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": typeof types.ResetPasswordDocument,
};
const documents: Documents = {
    "\n  query AdminBillingOverview {\n    paymentsEnabled\n    billingOverview {\n      activeSubscribers\n      pastDue\n      cancelling\n      complimentary\n      mrr {\n        amount\n        currency\n      }\n    }\n  }\n": types.AdminBillingOverviewDocument,
    "\n  query AdminSubscriptions($filter: SubscriptionFilter, $first: Int!, $after: String) {\n    subscriptions(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...BillingSubscriptionFields\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": types.AdminSubscriptionsDocument,
    "\n  query AdminRecentPayments($first: Int!) {\n    payments(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          status\n          invoiceUrl\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n    }\n  }\n": types.AdminRecentPaymentsDocument,
    "\n  query AdminFindUsers($search: String!) {\n    users(search: $search, first: 8) {\n      edges {\n        node {\n          id\n          displayName\n          email\n          subscription {\n            id\n            source\n            planName\n            status\n            entitled\n          }\n        }\n      }\n    }\n  }\n": types.AdminFindUsersDocument,
    "\n  mutation GrantComplimentaryPlan($input: GrantComplimentaryPlanInput!) {\n    grantComplimentaryPlan(input: $input) {\n      ...BillingSubscriptionFields\n      user {\n        id\n        hasPremiumAccess\n        subscription {\n          id\n        }\n      }\n    }\n  }\n": types.GrantComplimentaryPlanDocument,
    "\n  mutation RevokeComplimentaryPlan($userId: ID!) {\n    revokeComplimentaryPlan(userId: $userId) {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n": types.RevokeComplimentaryPlanDocument,
    "\n  query AdminPosts($filter: PostFilterInput!, $first: Int!, $after: String) {\n    posts(filter: $filter, first: $first, after: $after, orderBy: RECENTLY_UPDATED) {\n      edges {\n        node {\n          id\n          slug\n          title\n          status\n          publishedAt\n          updatedAt\n          isPremium\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": types.AdminPostsDocument,
    "\n  fragment EditablePost on Post {\n    id\n    slug\n    title\n    excerpt\n    body\n    difficulty\n    isPremium\n    coverImageUrl\n    status\n    publishedAt\n    updatedAt\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      title\n    }\n  }\n": types.EditablePostFragmentDoc,
    "\n  query EditorChoices {\n    me {\n      id\n      role\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    seriesList(first: 100) {\n      nodes {\n        id\n        title\n        author {\n          id\n        }\n      }\n    }\n  }\n": types.EditorChoicesDocument,
    "\n  mutation CreateTag($name: String!) {\n    createTag(name: $name) {\n      id\n      slug\n      name\n    }\n  }\n": types.CreateTagDocument,
    "\n  mutation AddPostToSeries($seriesId: ID!, $postId: ID!) {\n    addPostToSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n": types.AddPostToSeriesDocument,
    "\n  mutation RemovePostFromSeries($seriesId: ID!, $postId: ID!) {\n    removePostFromSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n": types.RemovePostFromSeriesDocument,
    "\n  query EditPost($slug: String!) {\n    post(slug: $slug) {\n      ...EditablePost\n    }\n  }\n": types.EditPostDocument,
    "\n  query PreviewMarkdown($markdown: String!) {\n    previewMarkdown(markdown: $markdown)\n  }\n": types.PreviewMarkdownDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...EditablePost\n    }\n  }\n": types.CreatePostDocument,
    "\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      ...EditablePost\n    }\n  }\n": types.UpdatePostDocument,
    "\n  mutation PublishPost($id: ID!) {\n    publishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n": types.PublishPostDocument,
    "\n  mutation UnpublishPost($id: ID!) {\n    unpublishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n": types.UnpublishPostDocument,
    "\n  mutation SchedulePost($id: ID!, $at: DateTime!) {\n    schedulePost(id: $id, at: $at) {\n      ...EditablePost\n    }\n  }\n": types.SchedulePostDocument,
    "\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n": types.DeletePostDocument,
    "\n  query ReviewPrompts($postId: ID!) {\n    reviewPrompts(postId: $postId)\n  }\n": types.ReviewPromptsDocument,
    "\n  mutation SetReviewPrompts($postId: ID!, $prompts: [String!]!) {\n    setReviewPrompts(postId: $postId, prompts: $prompts)\n  }\n": types.SetReviewPromptsDocument,
    "\n  subscription AskAi($question: String!, $postSlug: String) {\n    askAi(question: $question, postSlug: $postSlug) {\n      __typename\n      ... on AskAiSources {\n        sources {\n          index\n          heading\n          score\n          post {\n            id\n            slug\n            title\n          }\n          passage {\n            id\n            text\n          }\n        }\n      }\n      ... on AskAiDelta {\n        text\n      }\n      ... on AskAiDone {\n        finishReason\n        characters\n        tokens\n        retrievalMs\n        firstDeltaMs\n        totalMs\n      }\n      ... on AskAiError {\n        code\n        message\n      }\n    }\n  }\n": types.AskAiDocument,
    "\n  fragment BillingSubscriptionFields on Subscription {\n    id\n    source\n    planId\n    planName\n    status\n    price {\n      amount\n      currency\n    }\n    interval\n    currentPeriodEnd\n    cancelAtPeriodEnd\n    canceledAt\n    pastDueSince\n    graceEndsAt\n    entitled\n    updatedAt\n  }\n": types.BillingSubscriptionFieldsFragmentDoc,
    "\n  subscription BillingLive {\n    billingChanged {\n      ...BillingSubscriptionFields\n    }\n  }\n": types.BillingLiveDocument,
    "\n  fragment CertificateListFields on Certificate {\n    id\n    code\n    seriesTitle\n    issuedAt\n    revoked\n    revokedAt\n    revokedReason\n    status\n    valid\n    verificationUrl\n    series {\n      id\n      slug\n    }\n  }\n": types.CertificateListFieldsFragmentDoc,
    "\n  query MyCertificates($first: Int!, $after: String) {\n    myCertificates(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...CertificateListFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.MyCertificatesDocument,
    "\n  fragment CommentFields on Comment {\n    id\n    postId\n    parentId\n    depth\n    body\n    bodyHtml\n    status\n    createdAt\n    editedAt\n    author {\n      id\n      displayName\n    }\n  }\n": types.CommentFieldsFragmentDoc,
    "\n  query PostThread($slug: String!, $first: Int!, $after: String) {\n    post(slug: $slug) {\n      id\n      commentCount\n      thread(first: $first, after: $after) {\n        nodes {\n          ...CommentFields\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.PostThreadDocument,
    "\n  subscription CommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n": types.CommentAddedDocument,
    "\n  mutation AddComment($postId: ID!, $parentId: ID, $body: String!) {\n    addComment(postId: $postId, parentId: $parentId, body: $body) {\n      ...CommentFields\n    }\n  }\n": types.AddCommentDocument,
    "\n  mutation EditComment($id: ID!, $body: String!) {\n    editComment(id: $id, body: $body) {\n      ...CommentFields\n    }\n  }\n": types.EditCommentDocument,
    "\n  mutation ModerateComment($id: ID!, $status: CommentStatus!) {\n    moderateComment(id: $id, status: $status) {\n      ...CommentFields\n    }\n  }\n": types.ModerateCommentDocument,
    "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n": types.DeleteCommentDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    message\n    link\n    read\n    createdAt\n  }\n": types.NotificationFieldsFragmentDoc,
    "\n  query NotificationBell {\n    unreadNotificationCount\n    notifications(first: 8) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n    }\n  }\n": types.NotificationBellDocument,
    "\n  subscription NotificationsLive {\n    notifications {\n      ...NotificationFields\n    }\n  }\n": types.NotificationsLiveDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": types.MarkAllNotificationsReadDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  fragment PostCardFields on Post {\n    id\n    slug\n    title\n    excerpt\n    isPremium\n    isLocked\n    readingMinutes\n    difficulty\n    publishedAt\n    commentCount\n    coverImageUrl\n    author {\n      id\n      displayName\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      slug\n      title\n    }\n    viewerProgress {\n      completedAt\n    }\n  }\n": types.PostCardFieldsFragmentDoc,
    "\n  fragment PostListFields on PostConnection {\n    edges {\n      node {\n        ...PostCardFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n": types.PostListFieldsFragmentDoc,
    "\n  query ReviewDueCount {\n    reviewQueue(first: 1) {\n      totalCount\n    }\n  }\n": types.ReviewDueCountDocument,
    "\n  fragment PostReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    post {\n      id\n    }\n  }\n": types.PostReviewCardFieldsFragmentDoc,
    "\n  mutation AddPostToReview($postId: ID!) {\n    addToReview(postId: $postId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n": types.AddPostToReviewDocument,
    "\n  mutation RemoveFromReview($cardId: ID!) {\n    removeFromReview(cardId: $cardId)\n  }\n": types.RemoveFromReviewDocument,
    "\n  fragment StudyNoteFields on StudyNote {\n    id\n    body\n    bodyHtml\n    quote\n    createdAt\n    updatedAt\n    post {\n      id\n      slug\n      title\n    }\n  }\n": types.StudyNoteFieldsFragmentDoc,
    "\n  query PostNotes($slug: String!) {\n    post(slug: $slug) {\n      id\n      viewerNotes {\n        ...StudyNoteFields\n      }\n    }\n  }\n": types.PostNotesDocument,
    "\n  mutation CreateStudyNote($input: CreateStudyNoteInput!) {\n    createStudyNote(input: $input) {\n      ...StudyNoteFields\n      post {\n        id\n        viewerNotes {\n          ...StudyNoteFields\n        }\n      }\n    }\n  }\n": types.CreateStudyNoteDocument,
    "\n  mutation UpdateStudyNote($id: ID!, $input: UpdateStudyNoteInput!) {\n    updateStudyNote(id: $id, input: $input) {\n      ...StudyNoteFields\n    }\n  }\n": types.UpdateStudyNoteDocument,
    "\n  mutation DeleteStudyNote($id: ID!) {\n    deleteStudyNote(id: $id)\n  }\n": types.DeleteStudyNoteDocument,
    "\n  query Me {\n    me {\n      id\n      displayName\n      email\n      role\n      emailVerified\n      hasPremiumAccess\n      digestFrequency\n      bio\n      timeZone\n      profilePrivate\n      level\n      xp\n      streak {\n        current\n        longest\n        freezes\n      }\n    }\n  }\n": types.MeDocument,
    "\n  query BillingStatus {\n    me {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n": types.BillingStatusDocument,
    "\n  query PremiumPosts {\n    posts(filter: { premium: true }, first: 5) {\n      edges {\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n": types.PremiumPostsDocument,
    "\n  query MyBilling($first: Int!, $after: String) {\n    paymentsEnabled\n    me {\n      id\n      subscription {\n        ...BillingSubscriptionFields\n      }\n      payments(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            price {\n              amount\n              currency\n            }\n            status\n            invoiceUrl\n            periodStart\n            periodEnd\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MyBillingDocument,
    "\n  mutation OpenBillingPortal($returnPath: String) {\n    openBillingPortal(returnPath: $returnPath) {\n      url\n    }\n  }\n": types.OpenBillingPortalDocument,
    "\n  mutation CancelSubscription {\n    cancelSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n": types.CancelSubscriptionDocument,
    "\n  mutation ResumeSubscription {\n    resumeSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n": types.ResumeSubscriptionDocument,
    "\n  query Bookmarks($first: Int!, $after: String) {\n    bookmarks(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n": types.BookmarksDocument,
    "\n  query CertificatePage($code: String!) {\n    certificate(code: $code) {\n      status\n      valid\n      revoked\n      revokedAt\n      code\n      recipientName\n      seriesTitle\n      issuedAt\n      series {\n        id\n        slug\n        title\n      }\n    }\n    certificateSigningKey {\n      algorithm\n      keyId\n    }\n  }\n": types.CertificatePageDocument,
    "\n  query Feed($first: Int!, $after: String) {\n    posts(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n": types.FeedDocument,
    "\n  query SeriesList {\n    seriesList(first: 20) {\n      edges {\n        node {\n          id\n          slug\n          title\n          postCount\n          viewerProgress {\n            percent\n          }\n        }\n      }\n    }\n  }\n": types.SeriesListDocument,
    "\n  fragment LeaderboardEntryFields on LeaderboardEntry {\n    rank\n    xp\n    user {\n      id\n      displayName\n    }\n  }\n": types.LeaderboardEntryFieldsFragmentDoc,
    "\n  query Leaderboard($period: LeaderboardPeriod!, $first: Int!, $after: String) {\n    leaderboard(period: $period, first: $first, after: $after) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n      edges {\n        node {\n          ...LeaderboardEntryFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.LeaderboardDocument,
    "\n  query LeaderboardViewerPlace($period: LeaderboardPeriod!) {\n    leaderboard(period: $period, first: 1) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n    }\n  }\n": types.LeaderboardViewerPlaceDocument,
    "\n  subscription LeaderboardLive($period: LeaderboardPeriod!) {\n    leaderboardChanged(period: $period) {\n      ...LeaderboardEntryFields\n    }\n  }\n": types.LeaderboardLiveDocument,
    "\n  query LearningDashboard($days: Int!) {\n    learningStats(days: $days) {\n      timeZone\n      postsFinished\n      seriesFinished\n      totalMinutes\n      currentStreak\n      longestStreak\n      days {\n        day\n        minutes\n        active\n        frozen\n      }\n      weeks {\n        weekStart\n        minutes\n      }\n      topics {\n        tag {\n          id\n          slug\n          name\n        }\n        minutes\n      }\n    }\n    reviewStats {\n      reviewCount\n      matureReviewCount\n      retention\n      dueNow\n      dueToday\n      nextDue\n      days {\n        date\n        reviews\n        again\n      }\n      cardsByState {\n        new\n        learning\n        review\n        relearning\n        total\n      }\n    }\n  }\n": types.LearningDashboardDocument,
    "\n  query ReadingHistory($first: Int!, $after: String) {\n    readingHistory(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          secondsSpent\n          completedAt\n          lastReadAt\n          post {\n            id\n            slug\n            title\n            readingMinutes\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ReadingHistoryDocument,
    "\n  mutation ConfirmNewsletter($token: String!) {\n    confirmNewsletter(token: $token) {\n      email\n      status\n    }\n  }\n": types.ConfirmNewsletterDocument,
    "\n  query StudyNotesPage($search: String, $first: Int!, $after: String) {\n    studyNotes(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...StudyNoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.StudyNotesPageDocument,
    "\n  query StudyNotesMarkdown {\n    studyNotesMarkdown\n  }\n": types.StudyNotesMarkdownDocument,
    "\n  query NotificationsPage($first: Int!, $after: String, $unreadOnly: Boolean) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.NotificationsPageDocument,
    "\n  mutation DismissNotification($id: ID!) {\n    dismissNotification(id: $id)\n  }\n": types.DismissNotificationDocument,
    "\n  query PostPage($slug: String!) {\n    post(slug: $slug) {\n      ...PostCardFields\n      bodyHtml\n      requiredPlan\n      status\n      viewCount\n      seriesPosition\n      series {\n        id\n        slug\n        title\n        postCount\n      }\n      previousInSeries {\n        id\n        slug\n        title\n      }\n      nextInSeries {\n        id\n        slug\n        title\n      }\n      viewerHasBookmarked\n      viewerNotes {\n        id\n      }\n      viewerReviewCard {\n        ...PostReviewCardFields\n      }\n      viewerProgress {\n        secondsSpent\n        completedAt\n      }\n      secondsForXp\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n": types.PostPageDocument,
    "\n  mutation RecordPostView($postId: ID!) {\n    recordPostView(postId: $postId)\n  }\n": types.RecordPostViewDocument,
    "\n  mutation BookmarkPost($postId: ID!) {\n    bookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n": types.BookmarkPostDocument,
    "\n  mutation UnbookmarkPost($postId: ID!) {\n    unbookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n": types.UnbookmarkPostDocument,
    "\n  mutation React($postId: ID!, $kind: ReactionKind!) {\n    react(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n": types.ReactDocument,
    "\n  mutation Unreact($postId: ID!, $kind: ReactionKind!) {\n    unreact(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n": types.UnreactDocument,
    "\n  mutation MarkPostRead($postId: ID!, $secondsSpent: Int!) {\n    markPostRead(postId: $postId, secondsSpent: $secondsSpent) {\n      secondsSpent\n      completedAt\n      post {\n        id\n        viewerProgress {\n          secondsSpent\n          completedAt\n        }\n        series {\n          id\n          viewerProgress {\n            ...SeriesProgressFields\n          }\n        }\n      }\n    }\n  }\n": types.MarkPostReadDocument,
    "\n  query Pricing {\n    paymentsEnabled\n    plans {\n      id\n      name\n      price {\n        amount\n        currency\n      }\n      interval\n    }\n    me {\n      id\n      emailVerified\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n": types.PricingDocument,
    "\n  mutation StartCheckout($input: StartCheckoutInput!) {\n    startCheckout(input: $input) {\n      id\n      url\n      planId\n      expiresAt\n    }\n  }\n": types.StartCheckoutDocument,
    "\n  query ProfilePage($id: ID!, $first: Int!, $after: String) {\n    user(id: $id) {\n      id\n      displayName\n      bio\n      role\n      createdAt\n      profilePrivate\n      level\n      xp\n      levelProgress {\n        level\n        xpIntoLevel\n        xpForLevel\n        percent\n      }\n      streak {\n        current\n        longest\n        freezes\n      }\n      badges {\n        earnedAt\n        badge {\n          id\n          slug\n          name\n          description\n          icon\n        }\n      }\n      recentActivity(first: 10) {\n        source\n        amount\n        createdAt\n        link\n      }\n    }\n    posts(first: $first, after: $after, filter: { authorId: $id }) {\n      ...PostListFields\n    }\n  }\n": types.ProfilePageDocument,
    "\n  query AuthorSeries {\n    seriesList(first: 100) {\n      nodes {\n        id\n        slug\n        title\n        description\n        postCount\n        author {\n          id\n        }\n      }\n    }\n  }\n": types.AuthorSeriesDocument,
    "\n  query BadgeCatalogue {\n    badges {\n      id\n      slug\n      name\n      description\n      icon\n      xp\n    }\n  }\n": types.BadgeCatalogueDocument,
    "\n  fragment ReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    reps\n    keyPoints\n    keyPointsSource\n    post {\n      id\n      slug\n      title\n      excerpt\n    }\n  }\n": types.ReviewCardFieldsFragmentDoc,
    "\n  query ReviewSession($first: Int!) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        ...ReviewCardFields\n      }\n    }\n    reviewStats {\n      dueNow\n      dueToday\n      nextDue\n      cardsByState {\n        total\n      }\n    }\n    reviewSettings {\n      reminders\n      reminderHour\n    }\n  }\n": types.ReviewSessionDocument,
    "\n  mutation GradeReviewCard($cardId: ID!, $grade: ReviewGrade!) {\n    reviewCard(cardId: $cardId, grade: $grade) {\n      nextDue\n      early\n      xpAwarded\n      card {\n        id\n        state\n        due\n        reps\n        isDue\n      }\n    }\n  }\n": types.GradeReviewCardDocument,
    "\n  mutation SetReviewReminders($enabled: Boolean!) {\n    setReviewReminders(enabled: $enabled) {\n      reminders\n      reminderHour\n    }\n  }\n": types.SetReviewRemindersDocument,
    "\n  query Search($query: String!, $mode: SearchMode!, $first: Int) {\n    search(query: $query, mode: $mode, first: $first) {\n      mode\n      semanticUnavailable\n      suggestedMode\n      hits {\n      score\n      snippet\n      post {\n        id\n        slug\n        title\n        isPremium\n        readingMinutes\n        series {\n          id\n          title\n        }\n      }\n      passage {\n        id\n        headingPath\n      }\n      }\n    }\n  }\n": types.SearchDocument,
    "\n  fragment SeriesProgressFields on SeriesProgress {\n    completedCount\n    totalCount\n    percent\n    completedAt\n    nextPost {\n      id\n      slug\n      title\n    }\n  }\n": types.SeriesProgressFieldsFragmentDoc,
    "\n  query SeriesPage($slug: String!) {\n    series(slug: $slug) {\n      id\n      slug\n      title\n      description\n      postCount\n      author {\n        id\n        displayName\n      }\n      posts {\n        id\n        slug\n        title\n        excerpt\n        readingMinutes\n        isPremium\n        isLocked\n        viewerProgress {\n          completedAt\n        }\n        viewerReviewCard {\n          id\n        }\n      }\n      viewerProgress {\n        ...SeriesProgressFields\n      }\n    }\n  }\n": types.SeriesPageDocument,
    "\n  mutation AddSeriesToReview($seriesId: ID!) {\n    addToReview(seriesId: $seriesId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n": types.AddSeriesToReviewDocument,
    "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      bio\n      timeZone\n      profilePrivate\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  query Referrals($first: Int!, $after: String) {\n    me {\n      id\n      emailVerified\n      referralCode\n      referral {\n        canApplyCode\n        applyCodeUntil\n        status\n        reason\n        referredBy {\n          id\n          displayName\n        }\n      }\n    }\n    referrals(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          reason\n          createdAt\n          settledAt\n          user {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ReferralsDocument,
    "\n  mutation ApplyReferralCode($code: String!) {\n    applyReferralCode(code: $code) {\n      id\n      status\n      reason\n    }\n  }\n": types.ApplyReferralCodeDocument,
    "\n  mutation SetDigestFrequency($frequency: DigestFrequency!) {\n    setDigestFrequency(frequency: $frequency) {\n      id\n      digestFrequency\n    }\n  }\n": types.SetDigestFrequencyDocument,
    "\n  mutation ChangePassword($current: String!, $new: String!) {\n    changePassword(current: $current, new: $new)\n  }\n": types.ChangePasswordDocument,
    "\n  mutation SubscribeNewsletter($email: String!) {\n    subscribeNewsletter(email: $email)\n  }\n": types.SubscribeNewsletterDocument,
    "\n  query TagPage($slug: String!, $first: Int!, $after: String) {\n    tag(slug: $slug) {\n      id\n      name\n      slug\n      posts(first: $first, after: $after) {\n        ...PostListFields\n      }\n    }\n  }\n": types.TagPageDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      emailVerified\n    }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n": types.RequestEmailVerificationDocument,
    "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n": types.ResetPasswordDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminBillingOverview {\n    paymentsEnabled\n    billingOverview {\n      activeSubscribers\n      pastDue\n      cancelling\n      complimentary\n      mrr {\n        amount\n        currency\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminBillingOverview {\n    paymentsEnabled\n    billingOverview {\n      activeSubscribers\n      pastDue\n      cancelling\n      complimentary\n      mrr {\n        amount\n        currency\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminSubscriptions($filter: SubscriptionFilter, $first: Int!, $after: String) {\n    subscriptions(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...BillingSubscriptionFields\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query AdminSubscriptions($filter: SubscriptionFilter, $first: Int!, $after: String) {\n    subscriptions(filter: $filter, first: $first, after: $after) {\n      edges {\n        node {\n          ...BillingSubscriptionFields\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminRecentPayments($first: Int!) {\n    payments(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          status\n          invoiceUrl\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminRecentPayments($first: Int!) {\n    payments(first: $first) {\n      edges {\n        node {\n          id\n          price {\n            amount\n            currency\n          }\n          status\n          invoiceUrl\n          createdAt\n          user {\n            id\n            displayName\n            email\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminFindUsers($search: String!) {\n    users(search: $search, first: 8) {\n      edges {\n        node {\n          id\n          displayName\n          email\n          subscription {\n            id\n            source\n            planName\n            status\n            entitled\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminFindUsers($search: String!) {\n    users(search: $search, first: 8) {\n      edges {\n        node {\n          id\n          displayName\n          email\n          subscription {\n            id\n            source\n            planName\n            status\n            entitled\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GrantComplimentaryPlan($input: GrantComplimentaryPlanInput!) {\n    grantComplimentaryPlan(input: $input) {\n      ...BillingSubscriptionFields\n      user {\n        id\n        hasPremiumAccess\n        subscription {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation GrantComplimentaryPlan($input: GrantComplimentaryPlanInput!) {\n    grantComplimentaryPlan(input: $input) {\n      ...BillingSubscriptionFields\n      user {\n        id\n        hasPremiumAccess\n        subscription {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeComplimentaryPlan($userId: ID!) {\n    revokeComplimentaryPlan(userId: $userId) {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeComplimentaryPlan($userId: ID!) {\n    revokeComplimentaryPlan(userId: $userId) {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminPosts($filter: PostFilterInput!, $first: Int!, $after: String) {\n    posts(filter: $filter, first: $first, after: $after, orderBy: RECENTLY_UPDATED) {\n      edges {\n        node {\n          id\n          slug\n          title\n          status\n          publishedAt\n          updatedAt\n          isPremium\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query AdminPosts($filter: PostFilterInput!, $first: Int!, $after: String) {\n    posts(filter: $filter, first: $first, after: $after, orderBy: RECENTLY_UPDATED) {\n      edges {\n        node {\n          id\n          slug\n          title\n          status\n          publishedAt\n          updatedAt\n          isPremium\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EditablePost on Post {\n    id\n    slug\n    title\n    excerpt\n    body\n    difficulty\n    isPremium\n    coverImageUrl\n    status\n    publishedAt\n    updatedAt\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      title\n    }\n  }\n"): (typeof documents)["\n  fragment EditablePost on Post {\n    id\n    slug\n    title\n    excerpt\n    body\n    difficulty\n    isPremium\n    coverImageUrl\n    status\n    publishedAt\n    updatedAt\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EditorChoices {\n    me {\n      id\n      role\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    seriesList(first: 100) {\n      nodes {\n        id\n        title\n        author {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query EditorChoices {\n    me {\n      id\n      role\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    seriesList(first: 100) {\n      nodes {\n        id\n        title\n        author {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTag($name: String!) {\n    createTag(name: $name) {\n      id\n      slug\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTag($name: String!) {\n    createTag(name: $name) {\n      id\n      slug\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddPostToSeries($seriesId: ID!, $postId: ID!) {\n    addPostToSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n"): (typeof documents)["\n  mutation AddPostToSeries($seriesId: ID!, $postId: ID!) {\n    addPostToSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemovePostFromSeries($seriesId: ID!, $postId: ID!) {\n    removePostFromSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n"): (typeof documents)["\n  mutation RemovePostFromSeries($seriesId: ID!, $postId: ID!) {\n    removePostFromSeries(seriesId: $seriesId, postId: $postId) {\n      id\n      postCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EditPost($slug: String!) {\n    post(slug: $slug) {\n      ...EditablePost\n    }\n  }\n"): (typeof documents)["\n  query EditPost($slug: String!) {\n    post(slug: $slug) {\n      ...EditablePost\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewMarkdown($markdown: String!) {\n    previewMarkdown(markdown: $markdown)\n  }\n"): (typeof documents)["\n  query PreviewMarkdown($markdown: String!) {\n    previewMarkdown(markdown: $markdown)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...EditablePost\n    }\n  }\n"): (typeof documents)["\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...EditablePost\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      ...EditablePost\n    }\n  }\n"): (typeof documents)["\n  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {\n    updatePost(id: $id, input: $input) {\n      ...EditablePost\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishPost($id: ID!) {\n    publishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n"): (typeof documents)["\n  mutation PublishPost($id: ID!) {\n    publishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnpublishPost($id: ID!) {\n    unpublishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n"): (typeof documents)["\n  mutation UnpublishPost($id: ID!) {\n    unpublishPost(id: $id) {\n      ...EditablePost\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SchedulePost($id: ID!, $at: DateTime!) {\n    schedulePost(id: $id, at: $at) {\n      ...EditablePost\n    }\n  }\n"): (typeof documents)["\n  mutation SchedulePost($id: ID!, $at: DateTime!) {\n    schedulePost(id: $id, at: $at) {\n      ...EditablePost\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeletePost($id: ID!) {\n    deletePost(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewPrompts($postId: ID!) {\n    reviewPrompts(postId: $postId)\n  }\n"): (typeof documents)["\n  query ReviewPrompts($postId: ID!) {\n    reviewPrompts(postId: $postId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetReviewPrompts($postId: ID!, $prompts: [String!]!) {\n    setReviewPrompts(postId: $postId, prompts: $prompts)\n  }\n"): (typeof documents)["\n  mutation SetReviewPrompts($postId: ID!, $prompts: [String!]!) {\n    setReviewPrompts(postId: $postId, prompts: $prompts)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AskAi($question: String!, $postSlug: String) {\n    askAi(question: $question, postSlug: $postSlug) {\n      __typename\n      ... on AskAiSources {\n        sources {\n          index\n          heading\n          score\n          post {\n            id\n            slug\n            title\n          }\n          passage {\n            id\n            text\n          }\n        }\n      }\n      ... on AskAiDelta {\n        text\n      }\n      ... on AskAiDone {\n        finishReason\n        characters\n        tokens\n        retrievalMs\n        firstDeltaMs\n        totalMs\n      }\n      ... on AskAiError {\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription AskAi($question: String!, $postSlug: String) {\n    askAi(question: $question, postSlug: $postSlug) {\n      __typename\n      ... on AskAiSources {\n        sources {\n          index\n          heading\n          score\n          post {\n            id\n            slug\n            title\n          }\n          passage {\n            id\n            text\n          }\n        }\n      }\n      ... on AskAiDelta {\n        text\n      }\n      ... on AskAiDone {\n        finishReason\n        characters\n        tokens\n        retrievalMs\n        firstDeltaMs\n        totalMs\n      }\n      ... on AskAiError {\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BillingSubscriptionFields on Subscription {\n    id\n    source\n    planId\n    planName\n    status\n    price {\n      amount\n      currency\n    }\n    interval\n    currentPeriodEnd\n    cancelAtPeriodEnd\n    canceledAt\n    pastDueSince\n    graceEndsAt\n    entitled\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment BillingSubscriptionFields on Subscription {\n    id\n    source\n    planId\n    planName\n    status\n    price {\n      amount\n      currency\n    }\n    interval\n    currentPeriodEnd\n    cancelAtPeriodEnd\n    canceledAt\n    pastDueSince\n    graceEndsAt\n    entitled\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BillingLive {\n    billingChanged {\n      ...BillingSubscriptionFields\n    }\n  }\n"): (typeof documents)["\n  subscription BillingLive {\n    billingChanged {\n      ...BillingSubscriptionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CertificateListFields on Certificate {\n    id\n    code\n    seriesTitle\n    issuedAt\n    revoked\n    revokedAt\n    revokedReason\n    status\n    valid\n    verificationUrl\n    series {\n      id\n      slug\n    }\n  }\n"): (typeof documents)["\n  fragment CertificateListFields on Certificate {\n    id\n    code\n    seriesTitle\n    issuedAt\n    revoked\n    revokedAt\n    revokedReason\n    status\n    valid\n    verificationUrl\n    series {\n      id\n      slug\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyCertificates($first: Int!, $after: String) {\n    myCertificates(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...CertificateListFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyCertificates($first: Int!, $after: String) {\n    myCertificates(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...CertificateListFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CommentFields on Comment {\n    id\n    postId\n    parentId\n    depth\n    body\n    bodyHtml\n    status\n    createdAt\n    editedAt\n    author {\n      id\n      displayName\n    }\n  }\n"): (typeof documents)["\n  fragment CommentFields on Comment {\n    id\n    postId\n    parentId\n    depth\n    body\n    bodyHtml\n    status\n    createdAt\n    editedAt\n    author {\n      id\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostThread($slug: String!, $first: Int!, $after: String) {\n    post(slug: $slug) {\n      id\n      commentCount\n      thread(first: $first, after: $after) {\n        nodes {\n          ...CommentFields\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostThread($slug: String!, $first: Int!, $after: String) {\n    post(slug: $slug) {\n      id\n      commentCount\n      thread(first: $first, after: $after) {\n        nodes {\n          ...CommentFields\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription CommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n"): (typeof documents)["\n  subscription CommentAdded($postId: ID!) {\n    commentAdded(postId: $postId) {\n      ...CommentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($postId: ID!, $parentId: ID, $body: String!) {\n    addComment(postId: $postId, parentId: $parentId, body: $body) {\n      ...CommentFields\n    }\n  }\n"): (typeof documents)["\n  mutation AddComment($postId: ID!, $parentId: ID, $body: String!) {\n    addComment(postId: $postId, parentId: $parentId, body: $body) {\n      ...CommentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EditComment($id: ID!, $body: String!) {\n    editComment(id: $id, body: $body) {\n      ...CommentFields\n    }\n  }\n"): (typeof documents)["\n  mutation EditComment($id: ID!, $body: String!) {\n    editComment(id: $id, body: $body) {\n      ...CommentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ModerateComment($id: ID!, $status: CommentStatus!) {\n    moderateComment(id: $id, status: $status) {\n      ...CommentFields\n    }\n  }\n"): (typeof documents)["\n  mutation ModerateComment($id: ID!, $status: CommentStatus!) {\n    moderateComment(id: $id, status: $status) {\n      ...CommentFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteComment($id: ID!) {\n    deleteComment(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    message\n    link\n    read\n    createdAt\n  }\n"): (typeof documents)["\n  fragment NotificationFields on Notification {\n    id\n    kind\n    title\n    message\n    link\n    read\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationBell {\n    unreadNotificationCount\n    notifications(first: 8) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query NotificationBell {\n    unreadNotificationCount\n    notifications(first: 8) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationsLive {\n    notifications {\n      ...NotificationFields\n    }\n  }\n"): (typeof documents)["\n  subscription NotificationsLive {\n    notifications {\n      ...NotificationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"): (typeof documents)["\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostCardFields on Post {\n    id\n    slug\n    title\n    excerpt\n    isPremium\n    isLocked\n    readingMinutes\n    difficulty\n    publishedAt\n    commentCount\n    coverImageUrl\n    author {\n      id\n      displayName\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      slug\n      title\n    }\n    viewerProgress {\n      completedAt\n    }\n  }\n"): (typeof documents)["\n  fragment PostCardFields on Post {\n    id\n    slug\n    title\n    excerpt\n    isPremium\n    isLocked\n    readingMinutes\n    difficulty\n    publishedAt\n    commentCount\n    coverImageUrl\n    author {\n      id\n      displayName\n    }\n    tags {\n      id\n      slug\n      name\n    }\n    series {\n      id\n      slug\n      title\n    }\n    viewerProgress {\n      completedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostListFields on PostConnection {\n    edges {\n      node {\n        ...PostCardFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n"): (typeof documents)["\n  fragment PostListFields on PostConnection {\n    edges {\n      node {\n        ...PostCardFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    totalCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewDueCount {\n    reviewQueue(first: 1) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query ReviewDueCount {\n    reviewQueue(first: 1) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    post {\n      id\n    }\n  }\n"): (typeof documents)["\n  fragment PostReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    post {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddPostToReview($postId: ID!) {\n    addToReview(postId: $postId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddPostToReview($postId: ID!) {\n    addToReview(postId: $postId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveFromReview($cardId: ID!) {\n    removeFromReview(cardId: $cardId)\n  }\n"): (typeof documents)["\n  mutation RemoveFromReview($cardId: ID!) {\n    removeFromReview(cardId: $cardId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StudyNoteFields on StudyNote {\n    id\n    body\n    bodyHtml\n    quote\n    createdAt\n    updatedAt\n    post {\n      id\n      slug\n      title\n    }\n  }\n"): (typeof documents)["\n  fragment StudyNoteFields on StudyNote {\n    id\n    body\n    bodyHtml\n    quote\n    createdAt\n    updatedAt\n    post {\n      id\n      slug\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostNotes($slug: String!) {\n    post(slug: $slug) {\n      id\n      viewerNotes {\n        ...StudyNoteFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query PostNotes($slug: String!) {\n    post(slug: $slug) {\n      id\n      viewerNotes {\n        ...StudyNoteFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateStudyNote($input: CreateStudyNoteInput!) {\n    createStudyNote(input: $input) {\n      ...StudyNoteFields\n      post {\n        id\n        viewerNotes {\n          ...StudyNoteFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateStudyNote($input: CreateStudyNoteInput!) {\n    createStudyNote(input: $input) {\n      ...StudyNoteFields\n      post {\n        id\n        viewerNotes {\n          ...StudyNoteFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateStudyNote($id: ID!, $input: UpdateStudyNoteInput!) {\n    updateStudyNote(id: $id, input: $input) {\n      ...StudyNoteFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateStudyNote($id: ID!, $input: UpdateStudyNoteInput!) {\n    updateStudyNote(id: $id, input: $input) {\n      ...StudyNoteFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteStudyNote($id: ID!) {\n    deleteStudyNote(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteStudyNote($id: ID!) {\n    deleteStudyNote(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      displayName\n      email\n      role\n      emailVerified\n      hasPremiumAccess\n      digestFrequency\n      bio\n      timeZone\n      profilePrivate\n      level\n      xp\n      streak {\n        current\n        longest\n        freezes\n      }\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      displayName\n      email\n      role\n      emailVerified\n      hasPremiumAccess\n      digestFrequency\n      bio\n      timeZone\n      profilePrivate\n      level\n      xp\n      streak {\n        current\n        longest\n        freezes\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BillingStatus {\n    me {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query BillingStatus {\n    me {\n      id\n      hasPremiumAccess\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PremiumPosts {\n    posts(filter: { premium: true }, first: 5) {\n      edges {\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PremiumPosts {\n    posts(filter: { premium: true }, first: 5) {\n      edges {\n        node {\n          id\n          slug\n          title\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyBilling($first: Int!, $after: String) {\n    paymentsEnabled\n    me {\n      id\n      subscription {\n        ...BillingSubscriptionFields\n      }\n      payments(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            price {\n              amount\n              currency\n            }\n            status\n            invoiceUrl\n            periodStart\n            periodEnd\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MyBilling($first: Int!, $after: String) {\n    paymentsEnabled\n    me {\n      id\n      subscription {\n        ...BillingSubscriptionFields\n      }\n      payments(first: $first, after: $after) {\n        edges {\n          node {\n            id\n            price {\n              amount\n              currency\n            }\n            status\n            invoiceUrl\n            periodStart\n            periodEnd\n            createdAt\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OpenBillingPortal($returnPath: String) {\n    openBillingPortal(returnPath: $returnPath) {\n      url\n    }\n  }\n"): (typeof documents)["\n  mutation OpenBillingPortal($returnPath: String) {\n    openBillingPortal(returnPath: $returnPath) {\n      url\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelSubscription {\n    cancelSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelSubscription {\n    cancelSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeSubscription {\n    resumeSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n"): (typeof documents)["\n  mutation ResumeSubscription {\n    resumeSubscription {\n      ...BillingSubscriptionFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Bookmarks($first: Int!, $after: String) {\n    bookmarks(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n"): (typeof documents)["\n  query Bookmarks($first: Int!, $after: String) {\n    bookmarks(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CertificatePage($code: String!) {\n    certificate(code: $code) {\n      status\n      valid\n      revoked\n      revokedAt\n      code\n      recipientName\n      seriesTitle\n      issuedAt\n      series {\n        id\n        slug\n        title\n      }\n    }\n    certificateSigningKey {\n      algorithm\n      keyId\n    }\n  }\n"): (typeof documents)["\n  query CertificatePage($code: String!) {\n    certificate(code: $code) {\n      status\n      valid\n      revoked\n      revokedAt\n      code\n      recipientName\n      seriesTitle\n      issuedAt\n      series {\n        id\n        slug\n        title\n      }\n    }\n    certificateSigningKey {\n      algorithm\n      keyId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Feed($first: Int!, $after: String) {\n    posts(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n"): (typeof documents)["\n  query Feed($first: Int!, $after: String) {\n    posts(first: $first, after: $after) {\n      ...PostListFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SeriesList {\n    seriesList(first: 20) {\n      edges {\n        node {\n          id\n          slug\n          title\n          postCount\n          viewerProgress {\n            percent\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SeriesList {\n    seriesList(first: 20) {\n      edges {\n        node {\n          id\n          slug\n          title\n          postCount\n          viewerProgress {\n            percent\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LeaderboardEntryFields on LeaderboardEntry {\n    rank\n    xp\n    user {\n      id\n      displayName\n    }\n  }\n"): (typeof documents)["\n  fragment LeaderboardEntryFields on LeaderboardEntry {\n    rank\n    xp\n    user {\n      id\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Leaderboard($period: LeaderboardPeriod!, $first: Int!, $after: String) {\n    leaderboard(period: $period, first: $first, after: $after) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n      edges {\n        node {\n          ...LeaderboardEntryFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Leaderboard($period: LeaderboardPeriod!, $first: Int!, $after: String) {\n    leaderboard(period: $period, first: $first, after: $after) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n      edges {\n        node {\n          ...LeaderboardEntryFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LeaderboardViewerPlace($period: LeaderboardPeriod!) {\n    leaderboard(period: $period, first: 1) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query LeaderboardViewerPlace($period: LeaderboardPeriod!) {\n    leaderboard(period: $period, first: 1) {\n      totalCount\n      viewerEntry {\n        ...LeaderboardEntryFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LeaderboardLive($period: LeaderboardPeriod!) {\n    leaderboardChanged(period: $period) {\n      ...LeaderboardEntryFields\n    }\n  }\n"): (typeof documents)["\n  subscription LeaderboardLive($period: LeaderboardPeriod!) {\n    leaderboardChanged(period: $period) {\n      ...LeaderboardEntryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LearningDashboard($days: Int!) {\n    learningStats(days: $days) {\n      timeZone\n      postsFinished\n      seriesFinished\n      totalMinutes\n      currentStreak\n      longestStreak\n      days {\n        day\n        minutes\n        active\n        frozen\n      }\n      weeks {\n        weekStart\n        minutes\n      }\n      topics {\n        tag {\n          id\n          slug\n          name\n        }\n        minutes\n      }\n    }\n    reviewStats {\n      reviewCount\n      matureReviewCount\n      retention\n      dueNow\n      dueToday\n      nextDue\n      days {\n        date\n        reviews\n        again\n      }\n      cardsByState {\n        new\n        learning\n        review\n        relearning\n        total\n      }\n    }\n  }\n"): (typeof documents)["\n  query LearningDashboard($days: Int!) {\n    learningStats(days: $days) {\n      timeZone\n      postsFinished\n      seriesFinished\n      totalMinutes\n      currentStreak\n      longestStreak\n      days {\n        day\n        minutes\n        active\n        frozen\n      }\n      weeks {\n        weekStart\n        minutes\n      }\n      topics {\n        tag {\n          id\n          slug\n          name\n        }\n        minutes\n      }\n    }\n    reviewStats {\n      reviewCount\n      matureReviewCount\n      retention\n      dueNow\n      dueToday\n      nextDue\n      days {\n        date\n        reviews\n        again\n      }\n      cardsByState {\n        new\n        learning\n        review\n        relearning\n        total\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReadingHistory($first: Int!, $after: String) {\n    readingHistory(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          secondsSpent\n          completedAt\n          lastReadAt\n          post {\n            id\n            slug\n            title\n            readingMinutes\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ReadingHistory($first: Int!, $after: String) {\n    readingHistory(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          secondsSpent\n          completedAt\n          lastReadAt\n          post {\n            id\n            slug\n            title\n            readingMinutes\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmNewsletter($token: String!) {\n    confirmNewsletter(token: $token) {\n      email\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ConfirmNewsletter($token: String!) {\n    confirmNewsletter(token: $token) {\n      email\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StudyNotesPage($search: String, $first: Int!, $after: String) {\n    studyNotes(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...StudyNoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query StudyNotesPage($search: String, $first: Int!, $after: String) {\n    studyNotes(search: $search, first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          ...StudyNoteFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StudyNotesMarkdown {\n    studyNotesMarkdown\n  }\n"): (typeof documents)["\n  query StudyNotesMarkdown {\n    studyNotesMarkdown\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationsPage($first: Int!, $after: String, $unreadOnly: Boolean) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query NotificationsPage($first: Int!, $after: String, $unreadOnly: Boolean) {\n    unreadNotificationCount\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DismissNotification($id: ID!) {\n    dismissNotification(id: $id)\n  }\n"): (typeof documents)["\n  mutation DismissNotification($id: ID!) {\n    dismissNotification(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PostPage($slug: String!) {\n    post(slug: $slug) {\n      ...PostCardFields\n      bodyHtml\n      requiredPlan\n      status\n      viewCount\n      seriesPosition\n      series {\n        id\n        slug\n        title\n        postCount\n      }\n      previousInSeries {\n        id\n        slug\n        title\n      }\n      nextInSeries {\n        id\n        slug\n        title\n      }\n      viewerHasBookmarked\n      viewerNotes {\n        id\n      }\n      viewerReviewCard {\n        ...PostReviewCardFields\n      }\n      viewerProgress {\n        secondsSpent\n        completedAt\n      }\n      secondsForXp\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n"): (typeof documents)["\n  query PostPage($slug: String!) {\n    post(slug: $slug) {\n      ...PostCardFields\n      bodyHtml\n      requiredPlan\n      status\n      viewCount\n      seriesPosition\n      series {\n        id\n        slug\n        title\n        postCount\n      }\n      previousInSeries {\n        id\n        slug\n        title\n      }\n      nextInSeries {\n        id\n        slug\n        title\n      }\n      viewerHasBookmarked\n      viewerNotes {\n        id\n      }\n      viewerReviewCard {\n        ...PostReviewCardFields\n      }\n      viewerProgress {\n        secondsSpent\n        completedAt\n      }\n      secondsForXp\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordPostView($postId: ID!) {\n    recordPostView(postId: $postId)\n  }\n"): (typeof documents)["\n  mutation RecordPostView($postId: ID!) {\n    recordPostView(postId: $postId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation BookmarkPost($postId: ID!) {\n    bookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n"): (typeof documents)["\n  mutation BookmarkPost($postId: ID!) {\n    bookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnbookmarkPost($postId: ID!) {\n    unbookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n"): (typeof documents)["\n  mutation UnbookmarkPost($postId: ID!) {\n    unbookmarkPost(postId: $postId) {\n      id\n      viewerHasBookmarked\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation React($postId: ID!, $kind: ReactionKind!) {\n    react(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n"): (typeof documents)["\n  mutation React($postId: ID!, $kind: ReactionKind!) {\n    react(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unreact($postId: ID!, $kind: ReactionKind!) {\n    unreact(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n"): (typeof documents)["\n  mutation Unreact($postId: ID!, $kind: ReactionKind!) {\n    unreact(postId: $postId, kind: $kind) {\n      id\n      reactions {\n        kind\n        count\n      }\n      viewerReactions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkPostRead($postId: ID!, $secondsSpent: Int!) {\n    markPostRead(postId: $postId, secondsSpent: $secondsSpent) {\n      secondsSpent\n      completedAt\n      post {\n        id\n        viewerProgress {\n          secondsSpent\n          completedAt\n        }\n        series {\n          id\n          viewerProgress {\n            ...SeriesProgressFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation MarkPostRead($postId: ID!, $secondsSpent: Int!) {\n    markPostRead(postId: $postId, secondsSpent: $secondsSpent) {\n      secondsSpent\n      completedAt\n      post {\n        id\n        viewerProgress {\n          secondsSpent\n          completedAt\n        }\n        series {\n          id\n          viewerProgress {\n            ...SeriesProgressFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pricing {\n    paymentsEnabled\n    plans {\n      id\n      name\n      price {\n        amount\n        currency\n      }\n      interval\n    }\n    me {\n      id\n      emailVerified\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Pricing {\n    paymentsEnabled\n    plans {\n      id\n      name\n      price {\n        amount\n        currency\n      }\n      interval\n    }\n    me {\n      id\n      emailVerified\n      subscription {\n        ...BillingSubscriptionFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartCheckout($input: StartCheckoutInput!) {\n    startCheckout(input: $input) {\n      id\n      url\n      planId\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation StartCheckout($input: StartCheckoutInput!) {\n    startCheckout(input: $input) {\n      id\n      url\n      planId\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProfilePage($id: ID!, $first: Int!, $after: String) {\n    user(id: $id) {\n      id\n      displayName\n      bio\n      role\n      createdAt\n      profilePrivate\n      level\n      xp\n      levelProgress {\n        level\n        xpIntoLevel\n        xpForLevel\n        percent\n      }\n      streak {\n        current\n        longest\n        freezes\n      }\n      badges {\n        earnedAt\n        badge {\n          id\n          slug\n          name\n          description\n          icon\n        }\n      }\n      recentActivity(first: 10) {\n        source\n        amount\n        createdAt\n        link\n      }\n    }\n    posts(first: $first, after: $after, filter: { authorId: $id }) {\n      ...PostListFields\n    }\n  }\n"): (typeof documents)["\n  query ProfilePage($id: ID!, $first: Int!, $after: String) {\n    user(id: $id) {\n      id\n      displayName\n      bio\n      role\n      createdAt\n      profilePrivate\n      level\n      xp\n      levelProgress {\n        level\n        xpIntoLevel\n        xpForLevel\n        percent\n      }\n      streak {\n        current\n        longest\n        freezes\n      }\n      badges {\n        earnedAt\n        badge {\n          id\n          slug\n          name\n          description\n          icon\n        }\n      }\n      recentActivity(first: 10) {\n        source\n        amount\n        createdAt\n        link\n      }\n    }\n    posts(first: $first, after: $after, filter: { authorId: $id }) {\n      ...PostListFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthorSeries {\n    seriesList(first: 100) {\n      nodes {\n        id\n        slug\n        title\n        description\n        postCount\n        author {\n          id\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuthorSeries {\n    seriesList(first: 100) {\n      nodes {\n        id\n        slug\n        title\n        description\n        postCount\n        author {\n          id\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BadgeCatalogue {\n    badges {\n      id\n      slug\n      name\n      description\n      icon\n      xp\n    }\n  }\n"): (typeof documents)["\n  query BadgeCatalogue {\n    badges {\n      id\n      slug\n      name\n      description\n      icon\n      xp\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    reps\n    keyPoints\n    keyPointsSource\n    post {\n      id\n      slug\n      title\n      excerpt\n    }\n  }\n"): (typeof documents)["\n  fragment ReviewCardFields on ReviewCard {\n    id\n    state\n    due\n    reps\n    keyPoints\n    keyPointsSource\n    post {\n      id\n      slug\n      title\n      excerpt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReviewSession($first: Int!) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        ...ReviewCardFields\n      }\n    }\n    reviewStats {\n      dueNow\n      dueToday\n      nextDue\n      cardsByState {\n        total\n      }\n    }\n    reviewSettings {\n      reminders\n      reminderHour\n    }\n  }\n"): (typeof documents)["\n  query ReviewSession($first: Int!) {\n    reviewQueue(first: $first) {\n      totalCount\n      nodes {\n        ...ReviewCardFields\n      }\n    }\n    reviewStats {\n      dueNow\n      dueToday\n      nextDue\n      cardsByState {\n        total\n      }\n    }\n    reviewSettings {\n      reminders\n      reminderHour\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GradeReviewCard($cardId: ID!, $grade: ReviewGrade!) {\n    reviewCard(cardId: $cardId, grade: $grade) {\n      nextDue\n      early\n      xpAwarded\n      card {\n        id\n        state\n        due\n        reps\n        isDue\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation GradeReviewCard($cardId: ID!, $grade: ReviewGrade!) {\n    reviewCard(cardId: $cardId, grade: $grade) {\n      nextDue\n      early\n      xpAwarded\n      card {\n        id\n        state\n        due\n        reps\n        isDue\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetReviewReminders($enabled: Boolean!) {\n    setReviewReminders(enabled: $enabled) {\n      reminders\n      reminderHour\n    }\n  }\n"): (typeof documents)["\n  mutation SetReviewReminders($enabled: Boolean!) {\n    setReviewReminders(enabled: $enabled) {\n      reminders\n      reminderHour\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Search($query: String!, $mode: SearchMode!, $first: Int) {\n    search(query: $query, mode: $mode, first: $first) {\n      mode\n      semanticUnavailable\n      suggestedMode\n      hits {\n      score\n      snippet\n      post {\n        id\n        slug\n        title\n        isPremium\n        readingMinutes\n        series {\n          id\n          title\n        }\n      }\n      passage {\n        id\n        headingPath\n      }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Search($query: String!, $mode: SearchMode!, $first: Int) {\n    search(query: $query, mode: $mode, first: $first) {\n      mode\n      semanticUnavailable\n      suggestedMode\n      hits {\n      score\n      snippet\n      post {\n        id\n        slug\n        title\n        isPremium\n        readingMinutes\n        series {\n          id\n          title\n        }\n      }\n      passage {\n        id\n        headingPath\n      }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SeriesProgressFields on SeriesProgress {\n    completedCount\n    totalCount\n    percent\n    completedAt\n    nextPost {\n      id\n      slug\n      title\n    }\n  }\n"): (typeof documents)["\n  fragment SeriesProgressFields on SeriesProgress {\n    completedCount\n    totalCount\n    percent\n    completedAt\n    nextPost {\n      id\n      slug\n      title\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SeriesPage($slug: String!) {\n    series(slug: $slug) {\n      id\n      slug\n      title\n      description\n      postCount\n      author {\n        id\n        displayName\n      }\n      posts {\n        id\n        slug\n        title\n        excerpt\n        readingMinutes\n        isPremium\n        isLocked\n        viewerProgress {\n          completedAt\n        }\n        viewerReviewCard {\n          id\n        }\n      }\n      viewerProgress {\n        ...SeriesProgressFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query SeriesPage($slug: String!) {\n    series(slug: $slug) {\n      id\n      slug\n      title\n      description\n      postCount\n      author {\n        id\n        displayName\n      }\n      posts {\n        id\n        slug\n        title\n        excerpt\n        readingMinutes\n        isPremium\n        isLocked\n        viewerProgress {\n          completedAt\n        }\n        viewerReviewCard {\n          id\n        }\n      }\n      viewerProgress {\n        ...SeriesProgressFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddSeriesToReview($seriesId: ID!) {\n    addToReview(seriesId: $seriesId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddSeriesToReview($seriesId: ID!) {\n    addToReview(seriesId: $seriesId) {\n      ...PostReviewCardFields\n      post {\n        id\n        viewerReviewCard {\n          ...PostReviewCardFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      bio\n      timeZone\n      profilePrivate\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: UpdateProfileInput!) {\n    updateProfile(input: $input) {\n      id\n      displayName\n      bio\n      timeZone\n      profilePrivate\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Referrals($first: Int!, $after: String) {\n    me {\n      id\n      emailVerified\n      referralCode\n      referral {\n        canApplyCode\n        applyCodeUntil\n        status\n        reason\n        referredBy {\n          id\n          displayName\n        }\n      }\n    }\n    referrals(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          reason\n          createdAt\n          settledAt\n          user {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Referrals($first: Int!, $after: String) {\n    me {\n      id\n      emailVerified\n      referralCode\n      referral {\n        canApplyCode\n        applyCodeUntil\n        status\n        reason\n        referredBy {\n          id\n          displayName\n        }\n      }\n    }\n    referrals(first: $first, after: $after) {\n      totalCount\n      edges {\n        node {\n          id\n          status\n          reason\n          createdAt\n          settledAt\n          user {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApplyReferralCode($code: String!) {\n    applyReferralCode(code: $code) {\n      id\n      status\n      reason\n    }\n  }\n"): (typeof documents)["\n  mutation ApplyReferralCode($code: String!) {\n    applyReferralCode(code: $code) {\n      id\n      status\n      reason\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDigestFrequency($frequency: DigestFrequency!) {\n    setDigestFrequency(frequency: $frequency) {\n      id\n      digestFrequency\n    }\n  }\n"): (typeof documents)["\n  mutation SetDigestFrequency($frequency: DigestFrequency!) {\n    setDigestFrequency(frequency: $frequency) {\n      id\n      digestFrequency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($current: String!, $new: String!) {\n    changePassword(current: $current, new: $new)\n  }\n"): (typeof documents)["\n  mutation ChangePassword($current: String!, $new: String!) {\n    changePassword(current: $current, new: $new)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubscribeNewsletter($email: String!) {\n    subscribeNewsletter(email: $email)\n  }\n"): (typeof documents)["\n  mutation SubscribeNewsletter($email: String!) {\n    subscribeNewsletter(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TagPage($slug: String!, $first: Int!, $after: String) {\n    tag(slug: $slug) {\n      id\n      name\n      slug\n      posts(first: $first, after: $after) {\n        ...PostListFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query TagPage($slug: String!, $first: Int!, $after: String) {\n    tag(slug: $slug) {\n      id\n      name\n      slug\n      posts(first: $first, after: $after) {\n        ...PostListFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) {\n      id\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"): (typeof documents)["\n  mutation RequestEmailVerification {\n    requestEmailVerification\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!) {\n    requestPasswordReset(email: $email)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"): (typeof documents)["\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword)\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;