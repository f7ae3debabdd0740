// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

interface IERC20Min {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/**
 * A minimal constant-product (x * y = k) pool with a 0.3% fee, for benchmarks and tests
 * (bench/workload.ts). Liquidity shares are internal (no LP token). Reserves are the pool's own
 * accounting; state is updated before the token calls (checks-effects-interactions), and a
 * transient lock refuses re-entry.
 */
contract Pool {
    address public immutable token0;
    address public immutable token1;
    uint128 public reserve0;
    uint128 public reserve1;
    uint256 public totalShares;
    mapping(address => uint256) public shares;
    /// Re-entrancy lock in transient storage (EIP-1153): it is no state, so it adds no key to a swap's moves.
    bool private transient locked;

    event Swap(address indexed sender, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);
    event AddLiquidity(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    event RemoveLiquidity(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);

    error Locked();
    error BadToken(address token);
    error InsufficientOutput(uint256 out, uint256 minOut);
    error InsufficientLiquidity();
    error TransferFailed();
    error ReserveOverflow();

    modifier lock() {
        if (locked) revert Locked();
        locked = true;
        _;
        locked = false;
    }

    constructor(address token0_, address token1_) {
        if (token0_ == token1_ || token0_ == address(0) || token1_ == address(0)) revert BadToken(token1_);
        token0 = token0_;
        token1 = token1_;
    }

    /// Output of swapping `amountIn` into a pool with reserves (rIn, rOut): 0.3% fee, rounded down.
    function getAmountOut(uint256 amountIn, uint256 rIn, uint256 rOut) public pure returns (uint256) {
        uint256 inWithFee = amountIn * 997;
        return (inWithFee * rOut) / (rIn * 1000 + inWithFee);
    }

    function quote(address tokenIn, uint256 amountIn) external view returns (uint256) {
        if (tokenIn == token0) return getAmountOut(amountIn, reserve0, reserve1);
        if (tokenIn == token1) return getAmountOut(amountIn, reserve1, reserve0);
        revert BadToken(tokenIn);
    }

    function addLiquidity(uint256 amount0, uint256 amount1) external lock returns (uint256 minted) {
        uint256 r0 = reserve0;
        uint256 r1 = reserve1;
        uint256 total = totalShares;
        if (total == 0) minted = _sqrt(amount0 * amount1);
        else minted = _min((amount0 * total) / r0, (amount1 * total) / r1);
        if (minted == 0) revert InsufficientLiquidity();
        totalShares = total + minted;
        shares[msg.sender] += minted;
        _setReserves(r0 + amount0, r1 + amount1);
        _pull(token0, amount0);
        _pull(token1, amount1);
        emit AddLiquidity(msg.sender, amount0, amount1, minted);
    }

    function removeLiquidity(uint256 amount) external lock returns (uint256 amount0, uint256 amount1) {
        uint256 total = totalShares;
        uint256 r0 = reserve0;
        uint256 r1 = reserve1;
        shares[msg.sender] -= amount; // reverts if the caller has fewer shares
        amount0 = (amount * r0) / total;
        amount1 = (amount * r1) / total;
        totalShares = total - amount;
        _setReserves(r0 - amount0, r1 - amount1);
        _send(token0, msg.sender, amount0);
        _send(token1, msg.sender, amount1);
        emit RemoveLiquidity(msg.sender, amount0, amount1, amount);
    }

    /// Swaps `amountIn` of `tokenIn` (pulled from the caller, who must have approved the pool) for the other token, sent to `to`.
    function swap(address tokenIn, uint256 amountIn, uint256 minOut, address to) external lock returns (uint256 out) {
        bool zeroForOne = tokenIn == token0;
        if (!zeroForOne && tokenIn != token1) revert BadToken(tokenIn);
        uint256 r0 = reserve0;
        uint256 r1 = reserve1;
        out = zeroForOne ? getAmountOut(amountIn, r0, r1) : getAmountOut(amountIn, r1, r0);
        if (out == 0 || out < minOut) revert InsufficientOutput(out, minOut);
        if (zeroForOne) {
            r0 += amountIn;
            r1 -= out;
        } else {
            r1 += amountIn;
            r0 -= out;
        }
        _setReserves(r0, r1);
        _pull(tokenIn, amountIn);
        _send(zeroForOne ? token1 : token0, to, out);
        emit Swap(msg.sender, tokenIn, amountIn, out, to);
    }

    function _setReserves(uint256 r0, uint256 r1) private {
        if (r0 > type(uint128).max || r1 > type(uint128).max) revert ReserveOverflow();
        reserve0 = uint128(r0);
        reserve1 = uint128(r1);
    }

    function _pull(address token, uint256 amount) private {
        if (!IERC20Min(token).transferFrom(msg.sender, address(this), amount)) revert TransferFailed();
    }

    function _send(address token, address to, uint256 amount) private {
        if (!IERC20Min(token).transfer(to, amount)) revert TransferFailed();
    }

    function _min(uint256 a, uint256 b) private pure returns (uint256) {
        return a < b ? a : b;
    }

    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }
}
