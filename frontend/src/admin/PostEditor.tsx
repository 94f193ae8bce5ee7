import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';

import { Empty, ErrorNote, Field, Loading, Prose, TextArea, When, usePageTitle } from '../components/ui';
import { graphql } from '../gql';
import type { Difficulty, EditablePostFragment } from '../gql/graphql';
import { errorMessage, formErrors } from '../lib/errors';
import { ReviewPromptsEditor } from './ReviewPrompts';

export const EditablePost = graphql(`
  fragment EditablePost on Post {
    id
    slug
    title
    excerpt
    body
    difficulty
    isPremium
    coverImageUrl
    status
    publishedAt
    updatedAt
    tags {
      id
      slug
      name
    }
    series {
      id
      title
    }
  }
`);

/** What the pickers offer: every tag, and the series (the API lets a series' author or an admin add posts). */
const EditorChoices = graphql(`
  query EditorChoices {
    me {
      id
      role
    }
    tags {
      id
      slug
      name
    }
    seriesList(first: 100) {
      nodes {
        id
        title
        author {
          id
        }
      }
    }
  }
`);

const CreateTag = graphql(`
  mutation CreateTag($name: String!) {
    createTag(name: $name) {
      id
      slug
      name
    }
  }
`);

const AddToSeries = graphql(`
  mutation AddPostToSeries($seriesId: ID!, $postId: ID!) {
    addPostToSeries(seriesId: $seriesId, postId: $postId) {
      id
      postCount
    }
  }
`);

const RemoveFromSeries = graphql(`
  mutation RemovePostFromSeries($seriesId: ID!, $postId: ID!) {
    removePostFromSeries(seriesId: $seriesId, postId: $postId) {
      id
      postCount
    }
  }
`);

const EditPostQuery = graphql(`
  query EditPost($slug: String!) {
    post(slug: $slug) {
      ...EditablePost
    }
  }
`);

const Preview = graphql(`
  query PreviewMarkdown($markdown: String!) {
    previewMarkdown(markdown: $markdown)
  }
`);

const CreatePost = graphql(`
  mutation CreatePost($input: CreatePostInput!) {
    createPost(input: $input) {
      ...EditablePost
    }
  }
`);

const UpdatePost = graphql(`
  mutation UpdatePost($id: ID!, $input: UpdatePostInput!) {
    updatePost(id: $id, input: $input) {
      ...EditablePost
    }
  }
`);

const PublishPost = graphql(`
  mutation PublishPost($id: ID!) {
    publishPost(id: $id) {
      ...EditablePost
    }
  }
`);

const UnpublishPost = graphql(`
  mutation UnpublishPost($id: ID!) {
    unpublishPost(id: $id) {
      ...EditablePost
    }
  }
`);

const SchedulePost = graphql(`
  mutation SchedulePost($id: ID!, $at: DateTime!) {
    schedulePost(id: $id, at: $at) {
      ...EditablePost
    }
  }
`);

const DeletePost = graphql(`
  mutation DeletePost($id: ID!) {
    deletePost(id: $id)
  }
`);

interface Draft {
  title: string;
  slug: string;
  excerpt: string;
  body: string;
  difficulty: Difficulty;
  isPremium: boolean;
  coverImageUrl: string;
  tags: string;
  /** The series' id, or '' for none. */
  seriesId: string;
}

const empty: Draft = { title: '', slug: '', excerpt: '', body: '', difficulty: 'BEGINNER', isPremium: false, coverImageUrl: '', tags: '', seriesId: '' };

function toDraft(post: EditablePostFragment): Draft {
  return {
    title: post.title,
    slug: post.slug,
    excerpt: post.excerpt,
    body: post.body ?? '',
    difficulty: post.difficulty,
    isPremium: post.isPremium,
    coverImageUrl: post.coverImageUrl ?? '',
    tags: post.tags.map((t) => t.slug).join(', '),
    seriesId: post.series?.id ?? '',
  };
}

/** The value after `delay` ms without change. */
function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** `/admin/new` and `/admin/edit/:slug`. */
export function PostEditorPage() {
  const { slug } = useParams();
  // The post this editor last saved. When saving creates the post (the address
  // becomes /admin/edit/<slug>) or changes its slug, the same editor carries on
  // (its key stays) instead of reloading the post and losing what it shows.
  const [last, setLast] = useState<{ post: EditablePostFragment; key: string } | null>(null);
  const mine = last && slug === last.post.slug ? last : null;
  const [{ data, fetching, error }] = useQuery({
    query: EditPostQuery,
    variables: { slug: slug ?? '' },
    pause: !slug || Boolean(mine),
    requestPolicy: 'network-only',
  });
  const onSaved = (post: EditablePostFragment, key: string) => setLast({ post, key });
  if (!slug) return <PostEditor key="new" editorKey="new" post={null} onSaved={onSaved} />;
  if (mine) return <PostEditor key={mine.key} editorKey={mine.key} post={mine.post} onSaved={onSaved} />;
  if (!data?.post) {
    if (fetching || !data) return error ? <ErrorNote message={errorMessage(error)} /> : <Loading />;
    return <Empty title="There is no such post." />;
  }
  return <PostEditor key={data.post.id} editorKey={data.post.id} post={data.post} onSaved={onSaved} />;
}

interface EditorProps {
  post: EditablePostFragment | null;
  editorKey: string;
  onSaved(post: EditablePostFragment, editorKey: string): void;
}

function PostEditor({ post, editorKey, onSaved }: EditorProps) {
  usePageTitle(post ? `Edit: ${post.title}` : 'New post');
  const navigate = useNavigate();
  const [draft, setDraft] = useState<Draft>(post ? toDraft(post) : empty);
  const [current, setCurrentState] = useState(post);
  const setCurrent = (saved: EditablePostFragment) => {
    setCurrentState(saved);
    onSaved(saved, editorKey);
  };
  const [scheduleAt, setScheduleAt] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const body = useDebounced(draft.body, 300);
  const [preview] = useQuery({ query: Preview, variables: { markdown: body }, pause: !body.trim() });

  const [createState, create] = useMutation(CreatePost);
  const [updateState, update] = useMutation(UpdatePost);
  const [publishState, publish] = useMutation(PublishPost);
  const [unpublishState, unpublish] = useMutation(UnpublishPost);
  const [scheduleState, schedule] = useMutation(SchedulePost);
  const [deleteState, remove] = useMutation(DeletePost);
  const [choices] = useQuery({ query: EditorChoices });
  const [createTagState, createTag] = useMutation(CreateTag);
  const [addState, addToSeries] = useMutation(AddToSeries);
  const [removeState, removeFromSeries] = useMutation(RemoveFromSeries);
  const allTags = choices.data?.tags ?? [];
  const viewer = choices.data?.me;
  const seriesChoices = (choices.data?.seriesList.nodes ?? []).filter(
    (s) => viewer?.role === 'ADMIN' || s.author?.id === viewer?.id || s.id === draft.seriesId,
  );
  const saveError = createTagState.error ?? createState.error ?? updateState.error;
  const errors = formErrors(saveError, ['title', 'slug', 'excerpt', 'body', 'coverImageUrl', 'tagSlugs']);
  const actionError = errorMessage(
    publishState.error ?? unpublishState.error ?? scheduleState.error ?? deleteState.error ?? addState.error ?? removeState.error,
  );
  const busy = createTagState.fetching || addState.fetching || removeState.fetching || createState.fetching || updateState.fetching || publishState.fetching || unpublishState.fetching || scheduleState.fetching;
  const dirty = !current || JSON.stringify(toDraft(current)) !== JSON.stringify(draft);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(null);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  /**
   * The tag slugs for the draft's tags: a known tag by its slug or name, and
   * any other name made a new tag first (authors may add tags). Null when
   * adding one failed (its error shows at the field).
   */
  async function resolveTags(): Promise<string[] | null> {
    const slugs: string[] = [];
    for (const entry of draft.tags.split(',').map((t) => t.trim()).filter(Boolean)) {
      const lower = entry.toLowerCase();
      const known = allTags.find((t) => t.slug === lower || t.name.toLowerCase() === lower);
      if (known) {
        slugs.push(known.slug);
        continue;
      }
      const created = await createTag({ name: entry });
      if (!created.data) return null;
      slugs.push(created.data.createTag.slug);
    }
    return [...new Set(slugs)];
  }

  function input(tagSlugs: string[]) {
    return {
      title: draft.title,
      slug: draft.slug.trim() || undefined,
      excerpt: draft.excerpt,
      body: draft.body,
      difficulty: draft.difficulty,
      isPremium: draft.isPremium,
      coverImageUrl: draft.coverImageUrl.trim() || null,
      tagSlugs,
    };
  }

  /** Saves the draft; the saved post, or null when the save failed. */
  async function save(): Promise<EditablePostFragment | null> {
    if (current && !dirty) return current;
    const tagSlugs = await resolveTags();
    if (!tagSlugs) return null;
    if (current) {
      const result = await update({ id: current.id, input: input(tagSlugs) });
      if (!result.data) return null;
      const post = await placeInSeries(result.data.updatePost);
      setCurrent(post);
      setSaved('Saved.');
      if (post.slug !== current.slug) {
        navigate(`/admin/edit/${post.slug}`, { replace: true });
      }
      return post;
    }
    const result = await create({ input: input(tagSlugs) });
    if (!result.data) return null;
    const post = await placeInSeries(result.data.createPost);
    setCurrent(post);
    setSaved('Saved as a draft.');
    navigate(`/admin/edit/${post.slug}`, { replace: true });
    return post;
  }

  /** Moves the saved post into the draft's series (or out of its own); the post as it then is. */
  async function placeInSeries(post: EditablePostFragment): Promise<EditablePostFragment> {
    const was = post.series?.id ?? '';
    const want = draft.seriesId;
    if (was === want) return post;
    if (want) {
      // Adding moves the post out of any other series.
      const added = await addToSeries({ seriesId: want, postId: post.id });
      if (!added.data) return post;
      const title = seriesChoices.find((s) => s.id === want)?.title ?? '';
      return { ...post, series: { __typename: 'Series', id: want, title } };
    }
    const removed = await removeFromSeries({ seriesId: was, postId: post.id });
    return removed.data ? { ...post, series: null } : post;
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    await save();
  }

  async function onPublish() {
    const savedPost = await save();
    if (!savedPost) return;
    const result = await publish({ id: savedPost.id });
    if (result.data) {
      setCurrent(result.data.publishPost);
      setSaved('Published.');
    }
  }

  async function onSchedule() {
    const at = new Date(scheduleAt);
    if (!scheduleAt || Number.isNaN(at.getTime())) return;
    const savedPost = await save();
    if (!savedPost) return;
    const result = await schedule({ id: savedPost.id, at: at.toISOString() });
    if (result.data) {
      setCurrent(result.data.schedulePost);
      setSaved('Scheduled.');
    }
  }

  async function onUnpublish() {
    if (!current) return;
    const result = await unpublish({ id: current.id });
    if (result.data) {
      setCurrent(result.data.unpublishPost);
      setSaved('Back to draft.');
    }
  }

  async function onDelete() {
    if (!current || !window.confirm(`Delete “${current.title}” with its comments? This cannot be undone.`)) return;
    const result = await remove({ id: current.id });
    if (result.data?.deletePost) navigate('/admin', { replace: true });
  }

  return (
    <section>
      <div className="page-head">
        <h1>{current ? 'Edit post' : 'New post'}</h1>
        <p className="muted">
          <Link to="/admin">All posts</Link>
          {current && (
            <>
              {' · '}
              <span className={`badge ${current.status.toLowerCase()}`} data-testid="post-status">
                {current.status.toLowerCase()}
              </span>
              {current.status !== 'DRAFT' && current.publishedAt && (
                <>
                  {' '}
                  {current.status === 'SCHEDULED' ? 'for' : 'on'} <When at={current.publishedAt} withTime />
                </>
              )}
              {current.status === 'PUBLISHED' && (
                <>
                  {' · '}
                  <Link to={`/posts/${current.slug}`}>View</Link>
                </>
              )}
            </>
          )}
        </p>
      </div>
      <form className="editor" onSubmit={onSubmit} noValidate>
        <div className="editor-meta">
          <Field label="Title" name="title" required value={draft.title} onChange={(e) => set('title', e.target.value)} error={errors.fields.title} />
          <Field
            label="Slug"
            name="slug"
            value={draft.slug}
            onChange={(e) => set('slug', e.target.value)}
            error={errors.fields.slug}
            hint="The address: /posts/<slug>. Left empty, it is made from the title."
          />
          <TextArea label="Excerpt" name="excerpt" rows={2} value={draft.excerpt} onChange={(e) => set('excerpt', e.target.value)} error={errors.fields.excerpt} hint="Shown in the feed and to readers without access to premium posts. Left empty, it is taken from the body." />
          <div className="field-row">
            <div className="field">
              <label htmlFor="field-difficulty">Difficulty</label>
              <select id="field-difficulty" value={draft.difficulty} onChange={(e) => set('difficulty', e.target.value as Difficulty)}>
                <option value="BEGINNER">Beginner</option>
                <option value="INTERMEDIATE">Intermediate</option>
                <option value="ADVANCED">Advanced</option>
              </select>
            </div>
            <Field
              label="Tags"
              name="tagSlugs"
              value={draft.tags}
              onChange={(e) => set('tags', e.target.value)}
              error={errors.fields.tagSlugs ?? formErrors(createTagState.error, ['name']).fields.name}
              list="known-tags"
              hint="Tags, separated by commas: a new name becomes a new tag when you save."
            />
            <datalist id="known-tags">
              {allTags.map((t) => (
                <option key={t.id} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </datalist>
            <div className="field">
              <label htmlFor="field-series">Series</label>
              <select id="field-series" value={draft.seriesId} onChange={(e) => set('seriesId', e.target.value)}>
                <option value="">None</option>
                {seriesChoices.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.title}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <Field label="Cover image URL" name="coverImageUrl" type="url" value={draft.coverImageUrl} onChange={(e) => set('coverImageUrl', e.target.value)} error={errors.fields.coverImageUrl} />
          <label className="checkbox">
            <input type="checkbox" checked={draft.isPremium} onChange={(e) => set('isPremium', e.target.checked)} />
            Premium: only members with premium access read the full text
          </label>
        </div>

        <div className="tabs" role="tablist" aria-label="Body">
          <button type="button" role="tab" aria-selected={tab === 'write'} className={tab === 'write' ? 'active' : undefined} onClick={() => setTab('write')}>
            Write
          </button>
          <button type="button" role="tab" aria-selected={tab === 'preview'} className={tab === 'preview' ? 'active' : undefined} onClick={() => setTab('preview')}>
            Preview
          </button>
        </div>
        <div className={`editor-body show-${tab}`}>
          <div className="editor-write">
            <TextArea label="Body (markdown)" name="body" rows={22} value={draft.body} onChange={(e) => set('body', e.target.value)} error={errors.fields.body} />
          </div>
          <div className="editor-preview" aria-label="Preview" aria-live="polite">
            <p className="eyebrow">Preview</p>
            {!draft.body.trim() && <p className="muted">The preview appears as you write.</p>}
            {preview.error && <ErrorNote message={errorMessage(preview.error)} />}
            {draft.body.trim() && preview.data && <Prose html={preview.data.previewMarkdown} testId="preview" />}
          </div>
        </div>

        <ErrorNote message={errors.form ?? actionError} />
        {saved && (
          <p className="saved" role="status">
            {saved}
          </p>
        )}
        <div className="form-actions editor-actions">
          <button type="submit" className="button secondary" disabled={busy || (Boolean(current) && !dirty)}>
            {current ? 'Save' : 'Save draft'}
          </button>
          {current?.status !== 'PUBLISHED' && (
            <button type="button" className="button" disabled={busy} onClick={() => void onPublish()}>
              Publish now
            </button>
          )}
          {current?.status !== 'PUBLISHED' && (
            <span className="schedule">
              <label htmlFor="schedule-at">Publish at</label>
              <input id="schedule-at" type="datetime-local" value={scheduleAt} onChange={(e) => setScheduleAt(e.target.value)} />
              <button type="button" className="button secondary" disabled={busy || !scheduleAt} onClick={() => void onSchedule()}>
                Schedule
              </button>
            </span>
          )}
          {current && current.status !== 'DRAFT' && (
            <button type="button" className="button secondary" disabled={busy} onClick={() => void onUnpublish()}>
              Unpublish
            </button>
          )}
          {current && (
            <button type="button" className="button danger" disabled={deleteState.fetching} onClick={() => void onDelete()}>
              Delete
            </button>
          )}
        </div>
      </form>
      {current && <ReviewPromptsEditor postId={current.id} />}
    </section>
  );
}
