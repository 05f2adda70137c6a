using System.Reflection;
using System.Reflection.Emit;

namespace DiGA.Core.Tests.Architecture;

/// <summary>One IL instruction: its opcode, the member its token names (if any) and its integer operand (a local's index, a constant).</summary>
internal readonly record struct IlInstruction(OpCode OpCode, MemberInfo? Member, long? Operand)
{
    /// <summary>Gets the index of the local this instruction stores (<c>stloc*</c>), or <see langword="null"/>.</summary>
    public int? StoredLocal => OpCode.Value switch
    {
        0x0A or 0x0B or 0x0C or 0x0D => OpCode.Value - 0x0A,
        _ when OpCode == OpCodes.Stloc_S || OpCode == OpCodes.Stloc => (int)Operand!.Value,
        _ => null,
    };

    /// <summary>Gets the index of the local this instruction loads (<c>ldloc*</c>), or <see langword="null"/>.</summary>
    public int? LoadedLocal => OpCode.Value switch
    {
        0x06 or 0x07 or 0x08 or 0x09 => OpCode.Value - 0x06,
        _ when OpCode == OpCodes.Ldloc_S || OpCode == OpCodes.Ldloc => (int)Operand!.Value,
        _ => null,
    };

    /// <summary>Gets whether this instruction pushes a constant number (<c>ldc.*</c>).</summary>
    public bool IsConstant => OpCode.Name!.StartsWith("ldc.", StringComparison.Ordinal);
}

/// <summary>Reads the IL of compiled method bodies: every instruction, with the member its token names resolved.</summary>
internal static class IlReader
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The methods and constructors declared by <paramref name="type"/> (closures are types of their own).</summary>
    public static IEnumerable<MethodBase> DeclaredMethods(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary>The instructions of <paramref name="method"/>'s body; empty when it has none (abstract, extern).</summary>
    public static IEnumerable<IlInstruction> Read(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } generic ? generic.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[position++]);
            }

            var opCode = OpCodesByValue[value];
            var size = opCode.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, position)),
                _ => 4,
            };
            MemberInfo? member = null;
            if (opCode.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok)
            {
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, position), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                }
            }

            long? operand = opCode.OperandType switch
            {
                OperandType.ShortInlineVar => il[position],
                OperandType.ShortInlineI => (sbyte)il[position],
                OperandType.InlineVar => BitConverter.ToUInt16(il, position),
                OperandType.InlineI => BitConverter.ToInt32(il, position),
                OperandType.InlineI8 => BitConverter.ToInt64(il, position),
                _ => null,
            };
            yield return new IlInstruction(opCode, member, operand);
            position += size;
        }
    }
}
