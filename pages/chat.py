"""Chat: ask the stylist for a piece that matches an outfit, or about your wardrobe."""

import streamlit as st

from relookx import chat, history, store
from relookx.db import session_scope
from relookx.storage import ObjectRef
from relookx.ui import components, deps
from relookx.ui.cards import products_block, recommendation_card
from relookx.ui.context import app_context
from relookx.ui.safe import escaped_stream, md_text, model_markdown

ctx = app_context()
RETRY_KEY = "chat_retry"
EXAMPLES = ("Can you recommend a piece to match image {n}?", "I need something red for a party, under 80 euros",
            "How many blue tops do I have?", "Where can I buy it?", "Show me a preview of the new outfit")

st.title("Chat")
st.caption(f"Stylist: {deps.stylist_label(ctx.settings)}")
chat_deps = deps.chat_deps(ctx.settings)


def run_turn(text: str = "", retry_id: int | None = None) -> None:
    """Answer one message with a visible step display, streaming the critique or the answer."""
    if text:
        with st.chat_message("user"):
            st.markdown(md_text(text))
    with st.chat_message("assistant"):
        status = st.status("Reading your message", expanded=True)

        def on_step(label: str) -> None:
            status.update(label=label)
            status.markdown(f":material/arrow_right: {label}")

        turn = chat.handle(ctx.engine, chat_deps, user_id=ctx.user_id, text=text, retry_message_id=retry_id,
                           on_step=on_step, show_text=escaped_stream(status.write_stream))
        if turn.error:
            status.update(label="Something went wrong", state="error", expanded=False)
            st.error(f"{turn.error} Your message is kept: retry it from the history.", icon=":material/error:")
            return
        status.update(label="Done", state="complete", expanded=False)
        for reply in turn.replies:
            render_reply(reply)


def render_reply(message) -> None:  # noqa: ANN001 - a ChatMessage
    """An assistant message: a recommendation card, or text."""
    if message.kind == "recommendation" and message.recommendation_id:
        with session_scope(ctx.engine) as session:
            rec = history.get_recommendation(session, user_id=ctx.user_id,
                                             recommendation_id=message.recommendation_id)
        recommendation_card(ctx.engine, ctx.user_id, rec, key_prefix=f"m{message.id}_", storage=ctx.storage)
        return
    st.markdown(model_markdown(message.text))
    if message.kind == "products" and message.recommendation_id:
        with session_scope(ctx.engine) as session:
            rec = history.get_recommendation(session, user_id=ctx.user_id,
                                             recommendation_id=message.recommendation_id)
        if rec.products:
            products_block(ctx.engine, ctx.user_id, rec, key_prefix=f"m{message.id}_")
    elif message.kind == "preview" and message.preview_id:
        with session_scope(ctx.engine) as session:
            preview = history.get_preview(session, user_id=ctx.user_id, preview_id=message.preview_id)
        components.stored_image(ctx.storage, ObjectRef("preview", preview.image_key, preview.image_format), width=480)
        st.page_link("pages/preview.py", label="Open the Preview page", icon=":material/auto_awesome:")


# At the top level the input is pinned to the bottom of the page; the turn renders in the conversation.
prompt = st.chat_input("Ask your stylist, e.g. 'what would go with image 2?'", key="chat_input")
retry_id = st.session_state.pop(RETRY_KEY, None)
conversation, past = st.tabs([":material/forum: Conversation", ":material/history: Past recommendations"])
with session_scope(ctx.engine) as session:
    messages = history.list_messages(session, user_id=ctx.user_id)
    numbers = store.photo_numbers(session, user_id=ctx.user_id)
    recs = history.list_recommendations(session, user_id=ctx.user_id)

with conversation:
    example = None
    if not messages and not prompt:
        with st.chat_message("assistant"):
            st.markdown("Hi! I am your stylist. Ask me for one new piece that would lift an outfit, "
                        "or ask about your wardrobe." + ("" if numbers else
                        " Upload a few outfit photos on the Images page first."))
            example = st.pills("Try", [e.format(n=numbers[-1] if numbers else 1) for e in EXAMPLES],
                               key="chat_example", label_visibility="collapsed")
    for message in messages:
        with st.chat_message(message.role):
            if message.role == "assistant":
                render_reply(message)
                continue
            st.markdown(md_text(message.text))
            if message.status == "failed":
                st.error(message.error, icon=":material/error:")
                st.button("Retry", key=f"retry_{message.id}", icon=":material/refresh:",
                          on_click=st.session_state.__setitem__, args=(RETRY_KEY, message.id))
    if retry_id is not None:
        run_turn(retry_id=retry_id)
    elif prompt:
        run_turn(prompt)
    elif example:
        run_turn(example)

with past:
    if not recs:
        st.info("No recommendations yet: ask for one in the conversation.", icon=":material/lightbulb:")
    for rec in recs:
        st.caption(f"{rec.created_at:%d %b %Y %H:%M} · “{md_text(rec.query)}”")
        recommendation_card(ctx.engine, ctx.user_id, rec, key_prefix="past_", storage=ctx.storage)
