"""The words of the Feishu intake: toasts, refusals and notes, English and Chinese."""

from __future__ import annotations

from bot.i18n import register

register(
    {
        "feishu.failed": (
            "Sorry, your {what} could not be done because of a problem on our side. "
            "Please try again in a moment.",
            "抱歉，系统出了点问题，你的{what}没有处理成功，请稍后再试。",
        ),
        "feishu.what.command": ("command", "指令"),
        "feishu.what.reply": ("reply", "回复"),
        "feishu.what.reaction": ("reaction", "表情回复"),
        "feishu.what.click": ("click", "操作"),
        "feishu.what.form": ("form", "表单"),
        "feishu.click.again": ("Already done.", "已处理，无需重复点击。"),
        "feishu.click.unknown": (
            "This button is from an older card and does nothing now.",
            "这是旧卡片上的按钮，现在已不可用。",
        ),
        "feishu.decline.form_sent": (
            "I sent you a form in our direct chat: tell me why you decline {code}.",
            "已在与我的私聊中发送表单，请填写拒绝 {code} 的原因。",
        ),
        "feishu.declined": ("{code} declined.", "已拒绝 {code}。"),
        "feishu.reason_required": ("Please give a reason.", "请填写拒绝原因。"),
        "feishu.track.sent": (
            "I sent you a form in our direct chat to track this message as a request.",
            "已在与我的私聊中发送表单，可把这条消息跟踪为协作请求。",
        ),
        "feishu.track.no_message": (
            "Reply to the message you want to track with `@xdept track`.",
            "请回复要跟踪的那条消息，并输入 `@xdept track`。",
        ),
        "feishu.dept_add.scope": (
            "I now post this department's requests in this group. Without the "
            "`im:message.group_msg` permission I only see messages that mention me: "
            "ask members to @xdept in their replies under a request card, or ask a "
            "Feishu admin to grant that permission.",
            "之后该部门的协作请求会发到本群。若应用未开通「获取群组中所有消息」"
            "（im:message.group_msg）权限，我只能收到 @我 的消息：请大家在请求卡片下回复时 "
            "@xdept，或请飞书管理员开通该权限。",
        ),
    }
)
