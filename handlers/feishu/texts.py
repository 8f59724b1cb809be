"""The Feishu adapter's own words (failure hints, forms, "My items", notes), English and Chinese."""

from __future__ import annotations

from bot.i18n import register

register(
    {
        "feishu.hint.not_in_chat": (
            "Add me to that group (group settings › Group bots › Add bot) so requests and "
            "reminders reach it.",
            "请在该群的「设置 › 群机器人 › 添加机器人」中添加我，请求和提醒才能送达。",
        ),
        "feishu.hint.gone": (
            "The group was disbanded or the message withdrawn: type `@xdept dept add` in the "
            "department's new group to bind it.",
            "该群已解散或消息已撤回，请在部门的新群里 @xdept 输入 `dept add` 重新绑定。",
        ),
        "feishu.hint.auth": (
            "Feishu refused my credentials or a permission: ask a Feishu admin to check the "
            "app's permissions, its availability and its App Secret, then publish a new version.",
            "飞书拒绝了我的凭证或权限不足，请联系飞书管理员检查应用权限、可用范围和 App Secret，"
            "并发布新版本。",
        ),
        "feishu.moved": (
            "Feishu no longer lets me edit this card (14 days have passed); the latest status is "
            "in a new card in this group.",
            "飞书卡片发出 14 天后无法再更新，最新状态已发到本群的新卡片中。",
        ),
        "feishu.chat": ("chat", "群聊"),
        # -- form cards (in the bot's direct chat)
        "feishu.form.track.title": ("Track as request", "跟踪为协作请求"),
        "feishu.form.submit": ("File", "提交"),
        "feishu.form.dept": ("Department", "目标部门"),
        "feishu.form.dept.hint": ("Known: {known}", "已登记：{known}"),
        "feishu.form.dept.placeholder": ("e.g. logistics", "例如 logistics 或 物流"),
        "feishu.form.text": ("Request", "请求内容"),
        "feishu.form.due": ("Due", "截止时间"),
        "feishu.form.due.placeholder": ("e.g. Friday 5pm, in 3 days", "例如 周五下午5点、3天后"),
        "feishu.form.background": ("Background", "背景"),
        "feishu.form.impact": ("Impact", "影响"),
        "feishu.form.suggestion": ("Suggestion", "建议"),
        "feishu.form.source": ("From this message: {link}", "来源消息：{link}"),
        "feishu.form.decline.title": ("Decline {code}", "拒绝 {code}"),
        "feishu.form.decline.reason": ("Why are you declining it?", "拒绝原因"),
        "feishu.form.decline.placeholder": (
            "So the requester knows what to do next",
            "方便提出人决定下一步",
        ),
        "feishu.form.decline.submit": ("Decline", "拒绝"),
        "feishu.form.status.title": ("Status of {code}", "{code} 状态汇报"),
        "feishu.form.status.background": ("Background", "背景"),
        "feishu.form.status.current": ("Current state", "现状"),
        "feishu.form.status.current.hint": (
            "What is done, what is left, what is in the way",
            "已完成什么、还剩什么、卡在哪里",
        ),
        "feishu.form.status.impact": ("Impact", "影响"),
        "feishu.form.status.suggestion": ("Suggestion", "建议"),
        "feishu.form.status.submit": ("Post", "发布"),
        "feishu.form.minutes.title": ("Meeting minutes into items", "会议纪要转待办"),
        "feishu.form.minutes.hint": (
            "One action item a line, each naming @person or @department and a due date.",
            "每行一条待办，写明 @负责人 或 @部门，以及截止时间。",
        ),
        "feishu.form.minutes.notes": ("Notes", "纪要"),
        "feishu.form.minutes.placeholder": (
            "@wang send the price list by Friday",
            "@王强 周五前发报价单",
        ),
        "feishu.form.minutes.submit": ("Preview", "预览"),
        "feishu.minutes.previewed": (
            "Here is what the notes would file.",
            "已按纪要生成预览。",
        ),
        "feishu.minutes.title": ("Check the items before filing", "确认纪要中的待办"),
        "feishu.minutes.hint": (
            "Edit a line to fix it; untick it to leave it out. Lines marked ✗ cannot be "
            "read: fix them or untick them.",
            "可以直接修改每一行；不需要的行取消勾选即可。标 ✗ 的行无法识别，请改好或取消勾选。",
        ),
        "feishu.minutes.line_ok": ("✓ Line {n}: {what}", "✓ 第 {n} 行：{what}"),
        "feishu.minutes.line_bad": ("✗ Line {n}: {why}", "✗ 第 {n} 行：{why}"),
        "feishu.minutes.confirm": ("Confirm", "确认创建"),
        "feishu.minutes.still_bad": (
            "Line {n} still cannot be read ({why}): fix it or untick it. Nothing was filed.",
            "第 {n} 行仍无法识别（{why}），请修改或取消勾选。本次未创建任何事项。",
        ),
        "feishu.minutes.none_kept": (
            "Every line is unticked: nothing was filed.",
            "所有行都已取消勾选，本次未创建任何事项。",
        ),
        "feishu.minutes.too_big": (
            "The notes are too long for one card: send them in two or more parts.",
            "纪要太长，一张卡片放不下，请分几次发送。",
        ),
        "feishu.minutes.filed": (
            "Filed {n} [[n:item|items]]; the summary is posted where you typed minutes",
            "已创建 {n} 项，汇总已发到发起纪要的会话",
        ),
        # -- "My items", the Home tab of Feishu
        "feishu.home.title": ("My items", "我的事项"),
        "feishu.home.mine": ("My open items", "我负责的事项"),
        "feishu.home.depts": ("Waiting on my departments", "待我部门处理"),
        "feishu.home.asked": ("What I asked", "我提出的请求"),
        "feishu.home.empty": ("Nothing here.", "暂无。"),
        "feishu.home.more": ("…and {count} more: `list`", "……还有 {count} 项，发送 `list` 查看"),
        "feishu.home.hint": (
            "File a request by mentioning me: `@xdept ask @dept <text> by <when>`, or reply to "
            "any message with `@xdept track`.",
            "@我 提交请求：`@xdept ask @部门 <内容> <截止时间>`，或回复任意消息 `@xdept track`。",
        ),
    }
)
