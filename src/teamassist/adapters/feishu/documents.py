"""A document operation on Feishu: a docx in the team's Drive folder, filled from Markdown and
shared (queued by :class:`teamassist.adapters.feishu.workspace.FeishuDocuments`, carried out by
:class:`teamassist.adapters.feishu.operations.WorkspaceSender`).

Steps, each recorded in :class:`FeishuObject` before the next, so a retry resumes where the
last attempt stopped:

1. the folder path (``docs_folder`` or the app's own space, then the team's name and the
   document's folders): ``create_folder`` has no idempotency key and forbids concurrent
   creates, so each folder is recorded "in flight" first and a retry finding that record lists
   the parent for a folder of that name before creating one;
2. the docx itself (no idempotency key either: in flight, then listed by title likewise);
3. its content: the Markdown converted to blocks (``blocks/convert``) and inserted in one
   ``descendant`` call with a ``client_token`` (docx dedupes it); when the document is
   published again with other content (the pack rebuilt), the old top-level blocks are
   deleted (``children/batch_delete``, recorded as done before the new content goes in, so a
   retry never deletes the new content) and the new content inserted: the same document;
4. the shares: ``edit`` for the editors, ``view`` for the viewers, one person at a time, each
   recorded once done;
5. :class:`teamassist.events.DocumentReady` with the document's link, so a message waiting for
   it (a career plan's DM) goes out with the link that opens it.

Drive allows 5 writes a second and docx 3 edits a second per document: one lane per document
keeps its calls in order, and a rate-limit answer waits in the outbox for the reset.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lark_oapi.api.docx.v1 import (
    BatchDeleteDocumentBlockChildrenRequest,
    BatchDeleteDocumentBlockChildrenRequestBody,
    ConvertDocumentRequest,
    ConvertDocumentRequestBody,
    CreateDocumentBlockDescendantRequest,
    CreateDocumentBlockDescendantRequestBody,
    CreateDocumentRequest,
    CreateDocumentRequestBody,
    GetDocumentBlockChildrenRequest,
)
from lark_oapi.api.drive.v1 import (
    BaseMember,
    CreateFolderFileRequest,
    CreateFolderFileRequestBody,
    CreatePermissionMemberRequest,
    ListFileRequest,
)

from teamassist.adapters.feishu.idempotency import token_for

# The sender is operations.WorkspaceSender; named as Any so this module, which operations
# imports, does not import it back (no import cycle).
WorkspaceSender = Any
_KEYS_CONTENT = "{key}:content"  # the content's client_token source (a rebuild adds its digest)


def publish(sender: WorkspaceSender, op: dict[str, Any]) -> str:
    """Make, fill and share the document of ``op``; returns its document id."""
    key, workspace_id = str(op["key"]), int(op["workspace_id"])
    parent = sender.settings.docs_folder
    path: list[str] = []
    for name in op["folder"]:
        path.append(str(name))
        parent = _folder(sender, workspace_id, f"{workspace_id}:{'/'.join(path)}", parent, name)
    made = sender.made("document", key)
    if made is None or not made.object_id:
        found = _listed(sender, parent, "docx", op["title"]) if made is not None else None
        if found is None:
            sender.record("document", key, workspace_id, object_id="", state={})  # in flight
            body = CreateDocumentRequestBody.builder().folder_token(parent).title(op["title"])
            request = CreateDocumentRequest.builder().request_body(body.build()).build()
            response = sender.call("docx.create", sender.client.docx.v1.document.create, request)
            document_id = response.data.document.document_id
            found = _listed(sender, parent, "docx", op["title"]) or (document_id, "")
        sender.record("document", key, workspace_id, object_id=found[0], url=found[1], state={})
        made = sender.made("document", key)
        assert made is not None
    document_id, state = made.object_id, dict(made.state)
    markdown = str(op["markdown"])
    digest = hashlib.sha256(markdown.encode()).hexdigest()[:24]
    if not state.get("filled"):
        _fill(sender, _KEYS_CONTENT.format(key=key), document_id, markdown)
        state.update(filled=True, digest=digest)
        sender.record("document", key, workspace_id, state=state)
    elif state.get("digest", digest) != digest:  # rebuilt: the same document, new content
        if state.get("cleared") != digest:
            _clear(sender, document_id)
            state["cleared"] = digest  # a retry must not clear the new content again
            sender.record("document", key, workspace_id, state=state)
        _fill(sender, f"{_KEYS_CONTENT.format(key=key)}:{digest}", document_id, markdown)
        state["digest"] = digest
        sender.record("document", key, workspace_id, state=state)
    shared: list[str] = list(state.get("shared", []))
    wanted = [(who, "edit") for who in op["editors"]] + [
        (who, "view") for who in op["viewers"] if who not in op["editors"]
    ]
    for who, perm in wanted:
        if who in shared:
            continue
        member = BaseMember.builder().member_type("openid").member_id(who).perm(perm).build()
        request = (
            CreatePermissionMemberRequest.builder()
            .token(document_id)
            .type("docx")
            .request_body(member)
            .build()
        )
        sender.call(
            "drive.permission.create", sender.client.drive.v1.permission_member.create, request
        )
        shared.append(who)
        state["shared"] = shared
        sender.record("document", key, workspace_id, state=state)
    # Made, filled and shared: whoever waits for the link may send it now (again on a retry
    # or a rebuild; the waiting side acts once per key).
    sender.ready(workspace_id, key, made.url or str(op.get("local_url", "")))
    return str(document_id)


def _folder(sender: WorkspaceSender, workspace_id: int, key: str, parent: str, name: str) -> str:
    made = sender.made("folder", key)
    if made is not None and made.object_id:
        return str(made.object_id)
    found = _listed(sender, parent, "folder", name) if made is not None else None
    if found is None:
        sender.record("folder", key, workspace_id, object_id="")  # in flight
        body = CreateFolderFileRequestBody.builder().name(name).folder_token(parent).build()
        request = CreateFolderFileRequest.builder().request_body(body).build()
        response = sender.call(
            "drive.create_folder", sender.client.drive.v1.file.create_folder, request
        )
        found = (response.data.token, response.data.url or "")
    sender.record("folder", key, workspace_id, object_id=found[0], url=found[1])
    return found[0]


def _listed(sender: WorkspaceSender, folder: str, kind: str, name: str) -> tuple[str, str] | None:
    """``(token, url)`` of the ``kind`` named ``name`` in ``folder``, following every page."""
    page = ""
    while True:
        builder = ListFileRequest.builder().folder_token(folder).page_size(200)
        if page:
            builder = builder.page_token(page)
        response = sender.call("drive.list", sender.client.drive.v1.file.list, builder.build())
        data = response.data
        for file in data.files or []:
            if file.type == kind and file.name == name and file.token:
                return file.token, file.url or ""
        if not data.has_more or not data.next_page_token:
            return None
        page = data.next_page_token


def _clear(sender: WorkspaceSender, document_id: str) -> None:
    """Delete every top-level block of the document (their children go with them)."""
    count, page = 0, ""
    while True:  # count the page block's children, following every page
        builder = (
            GetDocumentBlockChildrenRequest.builder()
            .document_id(document_id)
            .block_id(document_id)
            .page_size(500)
        )
        if page:
            builder = builder.page_token(page)
        data = sender.call(
            "docx.children.get", sender.client.docx.v1.document_block_children.get, builder.build()
        ).data
        count += len(data.items or [])
        if not data.has_more or not data.page_token:
            break
        page = data.page_token
    if not count:
        return
    request = (
        BatchDeleteDocumentBlockChildrenRequest.builder()
        .document_id(document_id)
        .block_id(document_id)
        .document_revision_id(-1)
        .request_body(
            BatchDeleteDocumentBlockChildrenRequestBody.builder()
            .start_index(0)
            .end_index(count)
            .build()
        )
        .build()
    )
    sender.call(
        "docx.children.batch_delete",
        sender.client.docx.v1.document_block_children.batch_delete,
        request,
    )


def _fill(sender: WorkspaceSender, token_key: str, document_id: str, markdown: str) -> None:
    body = ConvertDocumentRequestBody.builder().content_type("markdown").content(markdown).build()
    request = ConvertDocumentRequest.builder().request_body(body).build()
    converted = sender.call("docx.convert", sender.client.docx.v1.document.convert, request).data
    insert = (
        CreateDocumentBlockDescendantRequestBody.builder()
        .children_id(converted.first_level_block_ids or [])
        .descendants(converted.blocks or [])
        .index(0)
        .build()
    )
    request = (
        CreateDocumentBlockDescendantRequest.builder()
        .document_id(document_id)
        .block_id(document_id)  # the page block's id is the document's
        .client_token(token_for(token_key))
        .request_body(insert)
        .build()
    )
    sender.call(
        "docx.descendant.create", sender.client.docx.v1.document_block_descendant.create, request
    )
