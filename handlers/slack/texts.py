"""The Slack adapter's own words (forms, Home tab, help, failures), in English and Chinese."""

from __future__ import annotations

from bot.i18n import register

register(
    {
        "slack.failed": (
            "Sorry, something went wrong while handling {what}. It has been logged; "
            "please try again in a minute.",
            "抱歉，处理{what}时出错，已记录日志，请稍后重试。",
        ),
        "slack.hint.not_in_chat": (
            "Invite me to that channel (`/invite @xdept`) so requests and reminders reach it.",
            "请在该频道输入 `/invite @xdept` 邀请我加入，请求和提醒才能送达。",
        ),
        "slack.hint.gone": (
            "The channel was archived or deleted: give the department a new one with "
            "`/xdept dept set <key> channel:#channel`.",
            "该频道已归档或删除，请用 `/xdept dept set <部门> channel:#频道` 换一个频道。",
        ),
        "slack.hint.auth": (
            "My Slack token was refused or lacks a permission: ask a workspace admin to "
            "reinstall the app.",
            "Slack 拒绝了我的令牌或权限不足，请联系工作区管理员重新安装应用。",
        ),
        "slack.hint.install": (
            "The app is not installed in this Slack workspace any more: install it again "
            "to resume.",
            "应用已不在该 Slack 工作区中，请重新安装后恢复。",
        ),
        "slack.not_installed": (
            "xdept is not installed in this Slack workspace. Install it here: {link}",
            "xdept 尚未安装到此 Slack 工作区，请先安装：{link}",
        ),
        "slack.needs_reinstall": (
            "xdept must be installed again in this Slack workspace: its stored token can no "
            "longer be read. Reinstall it here: {link}",
            "xdept 需要在此 Slack 工作区重新安装（已保存的令牌无法解密）。请在这里重新安装：{link}",
        ),
        "slack.no_install_link": (
            "ask the person who runs xdept for its install page",
            "请向 xdept 的管理员索取安装链接",
        ),
        "slack.other_workspace": (
            "This xdept server serves another Slack workspace only; nothing was done.",
            "此 xdept 服务只服务于另一个 Slack 工作区，本次操作未执行。",
        ),
        "slack.what.command": ("your command", "你的命令"),
        "slack.what.button": ("that button", "该按钮"),
        "slack.what.form": ("the form", "表单"),
        "slack.what.reaction": ("your reaction", "你的表情回应"),
        "slack.what.reply": ("your reply", "你的回复"),
        "slack.mention_help": (
            "Hi! I keep requests between departments moving. File one with "
            "`/xdept ask @logistics <what you need> by Friday`, or use *Track as request* "
            "on any message. `/xdept help` lists everything; your items are on my Home tab.",
            "你好！我负责跟进跨部门协作。用 `/xdept ask @物流 <需求> 周五前` 提交请求，"
            "或在任意消息上使用「跟踪为协作请求」。`/xdept help` 查看全部命令，"
            "你的事项在我的主页（Home）标签中。",
        ),
        "slack.no_text": (
            "That message has no text to track; type the request in the form.",
            "该消息没有可跟踪的文字，请在表单中填写请求内容。",
        ),
        # -- the "Track as request" form (titles: at most 24 characters)
        "form.track.title": ("Track as request", "跟踪为协作请求"),
        "form.submit": ("File", "提交"),
        "form.cancel": ("Cancel", "取消"),
        "form.dept": ("Department", "目标部门"),
        "form.dept.hint": ("Known: {known}", "已登记：{known}"),
        "form.dept.placeholder": ("e.g. logistics", "例如 logistics 或 物流"),
        "form.text": ("Request", "请求内容"),
        "form.owner": ("Owner (optional)", "负责人（可选）"),
        "form.due": ("Due", "截止时间"),
        "form.due.placeholder": ("e.g. Friday 5pm, in 3 days", "例如 周五下午5点、3天后"),
        "form.background": ("Background", "背景"),
        "form.impact": ("Impact", "影响"),
        "form.suggestion": ("Suggestion", "建议"),
        "form.source": ("From this message: {link}", "来源消息：{link}"),
        "form.decline.title": ("Decline {code}", "拒绝 {code}"),
        "form.decline.reason": ("Why are you declining it?", "拒绝原因"),
        "form.decline.submit": ("Decline", "拒绝"),
        "form.reason_required": (
            "Say why, so the requester knows what to do next.",
            "请填写原因，方便提出人决定下一步。",
        ),
        # -- the Home tab
        "home.title": ("xdept", "xdept · 跨部门协作"),
        "home.mine": ("My open items", "我负责的事项"),
        "home.depts": ("Waiting on my departments", "待我部门处理"),
        "home.asked": ("What I asked", "我提出的请求"),
        "home.empty": ("Nothing here.", "暂无。"),
        "home.more": (
            "…and {count} more: `/xdept list`",
            "……还有 {count} 项：`/xdept list`",
        ),
        "home.hint": (
            "File a request with `/xdept ask @dept <text> by <when>` or *Track as request* "
            "on a message.",
            "用 `/xdept ask @部门 <内容> <截止时间>` 或消息上的「跟踪为协作请求」提交请求。",
        ),
    }
)
