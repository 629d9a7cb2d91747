"""The update handlers: what the bot does with a message, a command, a button or an inline query.

One class per group (`Readers`, `Questions`, `Buttons`, `Admins`, `Posts`, `Inline`), each made from the
`Deps` they share (`bot.handlers.deps`), and the error handler every failure ends in (`bot.handlers.errors`).
Handlers decide and fetch; what they send is rendered and delivered by `bot.messages`, and what they keep
is `bot.state`'s. `bot.app` wires them to updates by the command table (`bot.commands`).
"""
