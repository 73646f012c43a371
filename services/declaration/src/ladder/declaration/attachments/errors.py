"""Errors of evidence attachments, each with a stable code."""

from __future__ import annotations

from ladder.kit.errors import Conflict, LadderError, NotFound


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    message = "附件不存在"
    message_en = "No such attachment"


class AttachmentTypeNotAllowed(LadderError):
    status_code = 415
    code = "attachment_type_not_allowed"
    message = "附件类型不允许（仅限 PDF、PNG、JPEG、DOCX、XLSX、PPTX）"
    message_en = "This kind of file cannot be attached (PDF, PNG, JPEG, DOCX, XLSX, PPTX only)"


class AttachmentTooLarge(LadderError):
    status_code = 413
    code = "attachment_too_large"
    message = "附件超过大小上限"
    message_en = "The attachment exceeds the size limit"


class TooManyAttachments(Conflict):
    code = "too_many_attachments"
    message = "附件数量或总大小已达上限"
    message_en = "The declaration already has the most attachments (or bytes) it may have"


class AttachmentExists(Conflict):
    code = "attachment_exists"
    message = "相同内容的附件已上传"
    message_en = "A file with the same content is already attached"


class EmptyAttachment(LadderError):
    status_code = 422
    code = "empty_attachment"
    message = "附件内容为空"
    message_en = "The attachment is empty"
