using System.CommandLine;
using SegBridge.Protocol;

namespace SegBridge.Host.Commands;

internal static class ProtocolCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Write the document to this file instead of stdout" };
        var markdown = new Option<bool>("--markdown")
        {
            Description = "Write the Markdown summary for people (methods by namespace, fields, notifications, error codes) instead of OpenRPC JSON",
        };
        var command = new Command("protocol", "Print the OpenRPC description of the protocol (or with --markdown its summary), generated from the contract") { output, markdown };
        command.SetAction(parse =>
        {
            var doc = parse.GetValue(markdown) ? ProtocolMarkdown.Generate() : OpenRpcDocument.Generate();
            if (parse.GetValue(output) is { } file) File.WriteAllText(file, doc);
            else Console.Out.Write(doc);
            return 0;
        });
        return command;
    }
}
