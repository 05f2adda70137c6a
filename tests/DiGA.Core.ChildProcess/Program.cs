using System.Globalization;
using DiGA.Core.ChildProcess;

switch (args)
{
    case ["checkpoint-loop", var directory]:
        return CheckpointLoop.Run(directory, count: null);
    case ["checkpoint-loop", var directory, var count]:
        return CheckpointLoop.Run(directory, int.Parse(count, CultureInfo.InvariantCulture));
    case ["convolution"]:
        return Convolution.Run();
    default:
        Console.Error.WriteLine("usage: DiGA.Core.ChildProcess checkpoint-loop <directory> [count] | convolution");
        return 2;
}
